/*
 * group.h - what "@name" in a node set means: the group groups/<name>.
 *
 * A group is a directory.  If it holds a regular file "members", that file
 * is the group: a node set (its lines joined by ','; it may name other
 * groups).  Otherwise each symbolic link in it is a member, named by the
 * last component of its target (groups/rack1/x -> ../../systems/servers/n1
 * is n1), and so is each subdirectory, by its own name.  Works on any
 * directory: the mounted tree (sysman(1)) or the backing store (sysmand).
 */
#ifndef SYSMAN_GROUP_H
#define SYSMAN_GROUP_H

/* Sets *ret_text (malloc'd) to the node set of group under groups_dir.
 * Returns 0, -ENOENT when there is no such group (or the name holds '/'
 * or is "." or ".."), -EFBIG for a members file over 1 MiB, or -errno.
 * Suits struct nodeset_resolver (with groups_dir bound by the caller). */
int group_members_text(const char *groups_dir, const char *group, char **ret_text);

#endif
