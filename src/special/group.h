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
 * blank separates them; '#' starts a comment to the end of its line; a
 * key repeated in one file counts once, the first time).  Its members
 * inherit them, by one rule for whoever reads a device's attributes
 * (group_attrs_effective(); every agent back end that reads attributes
 * goes through it): the device's own attributes win, then groups in the
 * order of their names.  A device is a member under its name, the last
 * component of its path (n1 for systems/servers/n1, the address for
 * systems/bmcs/<address>).
 */
#ifndef SYSMAN_GROUP_H
#define SYSMAN_GROUP_H

/* Sets *ret_text (malloc'd) to the node set of group under groups_dir.
 * Returns 0, -ENOENT when there is no such group (or the name holds '/'
 * or is "." or ".."), -EFBIG for a members file over 1 MiB, or -errno.
 * Suits struct nodeset_resolver (with groups_dir bound by the caller). */
int group_members_text(const char *groups_dir, const char *group, char **ret_text);

struct group_attrs;

/* A cache of what the groups under groups_dir give their members; it
 * reads groups_dir at the first lookup, not here.  Returns 0 or -ENOMEM.
 * group_attrs_free() accepts NULL. */
int group_attrs_new(const char *groups_dir, struct group_attrs **ret);
void group_attrs_free(struct group_attrs *ga);

/* Sets *ret_attrs (malloc'd, "k=v k=v") to the effective attributes of
 * the device named name whose own attributes are own: own's words, then
 * the attrs words of every group whose node set holds name, groups in
 * name order, each word only if no word before it sets its key.  Groups
 * (or a groups_dir) that cannot be read or parsed give nothing.
 *
 * Cost: the groups are read and parsed at the first lookup and again
 * only after a change (inotify on groups_dir, its parent and each group:
 * any entry made, removed, renamed or written); a lookup without a
 * change reads the pending events and tests the name against each group
 * with attrs.  Where inotify is unavailable (or a watch cannot be added)
 * every lookup reads the groups.  One inotify descriptor per cache.
 * Thread-safe (one lock around the lookup).  Returns 0 or -ENOMEM. */
int group_attrs_effective(struct group_attrs *ga, const char *name, const char *own, char **ret_attrs);

#endif
