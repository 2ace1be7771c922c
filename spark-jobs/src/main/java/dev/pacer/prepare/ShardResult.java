package dev.pacer.prepare;

import dev.pacer.data.shard.ShardInfo;
import java.io.Serializable;

/**
 * What one shard task wrote: its training and validation files, the duplicates it dropped and the
 * documents it dropped because an earlier version of the dataset holds them.
 */
record ShardResult(int shard, ShardInfo train, ShardInfo validation, long duplicates, long seenBefore)
        implements Serializable {}
