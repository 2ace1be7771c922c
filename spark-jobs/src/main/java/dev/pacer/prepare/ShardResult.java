package dev.pacer.prepare;

import dev.pacer.data.shard.ShardInfo;
import java.io.Serializable;

/** What one shard task wrote: its training and validation files, and duplicates it dropped. */
record ShardResult(int shard, ShardInfo train, ShardInfo validation, long duplicates) implements Serializable {}
