/*
 * catalog_schema.h - the migrations of the catalog, oldest first.  Index
 * i holds the SQL that takes the schema from version i to i+1.
 */
#ifndef SYSMAN_NFS_CATALOG_SCHEMA_H
#define SYSMAN_NFS_CATALOG_SCHEMA_H

#include <stddef.h>

extern const char *const nfs_migrations[];
extern const size_t nfs_nmigrations;

#endif
