/* sysman-nfs: the `nfs` commands without the sysman front end. */
#include "nfs_cli.h"

int main(int argc, char **argv)
{
	char name[] = "nfs";

	argv[0] = name;
	return nfs_cli_main(argc, argv);
}
