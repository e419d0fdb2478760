#ifndef JOURNEYLAB_SYSTEM_SUPPORT_H
#define JOURNEYLAB_SYSTEM_SUPPORT_H
#include <spawn.h>

/// glibc's posix_spawn extensions, which Swift's Glibc module does not expose (they need _GNU_SOURCE).
int journeylab_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int journeylab_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
#endif
