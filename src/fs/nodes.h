/*
 * nodes.h - /nodes/<set>/<file>: computed directories over node sets
 * (DESIGN §14, issue 12).  The FUSE operations hand every request on a
 * computed inode (in->vkind != VNODE_NONE) or an FH_NODES handle to the
 * functions below, which answer it (now or once the members' agents are
 * done).  The contract of the tree itself is at the top of nodes.c.
 */
#ifndef SYSMAN_FS_NODES_H
#define SYSMAN_FS_NODES_H

#include "fs/fs.h"
#include "fs/handle.h"

/* Answers a lookup of name in parent if it is computed (parent computed,
 * or "nodes" in the root) and returns true; false: not nodes/' business. */
bool nodes_lookup(struct sysman *sm, fuse_req_t req, struct sm_inode *parent, const char *name);
/* True if name may not be made, removed or renamed in dir: dir is
 * computed, or it is the root and name is "nodes". */
bool nodes_reserved(struct sysman *sm, struct sm_inode *dir, const char *name);

/* The operations on a computed inode; each answers req. */
void nodes_getattr(struct sysman *sm, fuse_req_t req, struct sm_inode *in);
/* Only a truncation is accepted (a shell's "> file"); it changes nothing. */
void nodes_setattr(struct sysman *sm, fuse_req_t req, struct sm_inode *in, int valid);
void nodes_open(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi);
/* opendir leaves fi->fh 0: nodes_readdir serves such handles. */
void nodes_opendir(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi);
/* Lists "." and ".." only. */
void nodes_readdir(fuse_req_t req, struct sm_inode *in, size_t size, off_t off);

/* write() and flush() on an FH_NODES handle. */
void nodes_write(struct sysman *sm, fuse_req_t req, struct sm_fh *fh, struct fuse_bufvec *in_buf,
		 off_t off);
void nodes_flush(struct sysman *sm, fuse_req_t req, struct sm_fh *fh);

#endif
