/*
 * group.h - what "@name" in a node set means: the group groups/<name>.
 *
 * A group is a directory.  If it holds a regular file "members", that file
 * is the group: a node set (its lines joined by ','; it may name other
 * groups).  Otherwise each symbolic link in it is a member, named by the
 * last component of its target (groups/rack1/x -> ../../systems/servers/n1
 * is n1), and so is each subdirectory, by its own name.  Works on any
 * directory: the mounted tree (sysman(1)) or the backing store (sysmand).
 *
 * A group may also hold a regular file "attrs": "key=value" words (any
 * blank separates them; '#' starts a comment to the end of its line).
 * Its members inherit them, as their agents see device attributes
 * (SYSMAN_ATTR_<key>); a device's own attributes win, then groups in the
 * order of their names.
 */
#ifndef SYSMAN_GROUP_H
#define SYSMAN_GROUP_H

struct buf;

/* Sets *ret_text (malloc'd) to the node set of group under groups_dir.
 * Returns 0, -ENOENT when there is no such group (or the name holds '/'
 * or is "." or ".."), -EFBIG for a members file over 1 MiB, or -errno.
 * Suits struct nodeset_resolver (with groups_dir bound by the caller). */
int group_members_text(const char *groups_dir, const char *group, char **ret_text);

/* Appends to out the attrs words of every group under groups_dir whose
 * node set holds name, groups in name order, each word once per key (the
 * first group setting a key wins).  Groups that cannot be read or parsed
 * are skipped.  Returns 0, -ENOENT without groups_dir, or -errno. */
int group_attrs_of(const char *groups_dir, const char *name, struct buf *out);

#endif
