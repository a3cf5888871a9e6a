/* What the FUSE side asks the agent layer (agent/agents.h): which agents
 * exist for a path and which names they make appear. */
#include "fs/fs.h"

#include "agent/agents.h"

bool sm_is_dynamic(struct sysman *sm, const char *path)
{
	return agent_path_dynamic(sm->agents, path);
}

bool sm_agent_for(struct sysman *sm, const char *path, enum agent_op op)
{
	return sm->agents && agent_exists(sm->agents, path, op);
}

int sm_agent_names(struct sysman *sm, const char *dirpath,
		   int (*fn)(const struct trie_entry *e, void *arg), void *arg)
{
	return sm->agents ? agent_names(sm->agents, dirpath, fn, arg) : 0;
}
