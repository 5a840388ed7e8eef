/*
 * lfs-recording: writes an image of the ESP32's xsc-rec partition the way the
 * device does, for test/rec-extract.test.ts: the Moddable SDK's littlefs with
 * hosts/esp32/manifest.json's settings (read, prog, cache and lookahead 512,
 * 4 KB blocks, 352 of them), each LOG copied into can-0001.log, can-0002.log,
 * ... in 4 KB writes, committed as FileSink.commit() does (close, unmount
 * as the SDK does with no file open, mount, reopen at position 0, seek to the
 * end) every three writes, the last one partial.
 *   usage: lfs-recording IMAGE LOG...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lfs.h"

#define BLOCK_SIZE 4096
#define BLOCK_COUNT 336

static uint8_t disk[BLOCK_SIZE * BLOCK_COUNT];

static int readBlock(const struct lfs_config *c, lfs_block_t b, lfs_off_t o, void *buffer, lfs_size_t n) { memcpy(buffer, disk + b * BLOCK_SIZE + o, n); return 0; }
static int progBlock(const struct lfs_config *c, lfs_block_t b, lfs_off_t o, const void *buffer, lfs_size_t n) { memcpy(disk + b * BLOCK_SIZE + o, buffer, n); return 0; }
static int eraseBlock(const struct lfs_config *c, lfs_block_t b) { memset(disk + b * BLOCK_SIZE, 0xFF, BLOCK_SIZE); return 0; }
static int nothing(const struct lfs_config *c) { return 0; }

int main(int argc, char *argv[])
{
	if (argc < 3) {
		fprintf(stderr, "usage: lfs-recording IMAGE LOG...\n");
		return 2;
	}
	struct lfs_config config = {0};
	config.read = readBlock;
	config.prog = progBlock;
	config.erase = eraseBlock;
	config.sync = nothing;
#ifdef LFS_THREADSAFE
	config.lock = nothing;
	config.unlock = nothing;
#endif
	config.read_size = config.prog_size = config.cache_size = config.lookahead_size = 512;
	config.block_size = BLOCK_SIZE;
	config.block_count = BLOCK_COUNT;
	config.block_cycles = 500;
	memset(disk, 0xFF, sizeof(disk));
	lfs_t lfs;
	if (lfs_format(&lfs, &config) || lfs_mount(&lfs, &config))
		return 1;
	for (int i = 2; i < argc; i++) {
		FILE *in = fopen(argv[i], "rb");
		if (!in)
			return 1;
		char name[32];
		snprintf(name, sizeof(name), "can-%04d.log", i - 1);
		lfs_file_t file;
		if (lfs_file_open(&lfs, &file, name, LFS_O_RDWR | LFS_O_CREAT))
			return 1;
		static char chunk[BLOCK_SIZE];
		size_t got;
		int writes = 0;
		while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0) {
			if (lfs_file_write(&lfs, &file, chunk, got) != (lfs_ssize_t)got)
				return 1;
			if (++writes % 3 == 0) {
				lfs_file_close(&lfs, &file);
				lfs_unmount(&lfs);
				if (lfs_mount(&lfs, &config) || lfs_file_open(&lfs, &file, name, LFS_O_RDWR | LFS_O_CREAT))
					return 1;
				lfs_file_seek(&lfs, &file, lfs_file_size(&lfs, &file), LFS_SEEK_SET);
			}
		}
		fclose(in);
		lfs_file_close(&lfs, &file);
	}
	lfs_unmount(&lfs);
	FILE *out = fopen(argv[1], "wb");
	if (!out || fwrite(disk, 1, sizeof(disk), out) != sizeof(disk) || fclose(out))
		return 1;
	return 0;
}
