/*
 * rec-extract: copies the recordings out of an image of the ESP32's xsc-rec
 * partition (littlefs, 4 KB blocks, as hosts/esp32/manifest.json configures
 * the file module), read from the board with esptool:
 *
 *   esptool.py --port /dev/ttyUSB0 read_flash 0x290000 0x150000 xsc-rec.bin
 *   ./rec-extract xsc-rec.bin recordings/
 *
 * It mounts the image read-only (it never formats or writes it), and writes
 * each file of its root folder (can-0001.log, ...) into the output folder,
 * printing name and size. Built against the Moddable SDK's own littlefs, the
 * code the device runs (hosts/esp32/README.md says how). Exit status: 0 done,
 * 1 the image is not a littlefs image of this kind or a file failed, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lfs.h"

#define BLOCK_SIZE 4096

static uint8_t *image;

static int readBlock(const struct lfs_config *c, lfs_block_t block, lfs_off_t offset, void *buffer, lfs_size_t size)
{
	memcpy(buffer, image + (size_t)block * BLOCK_SIZE + offset, size);
	return 0;
}

static int refuse(const struct lfs_config *c, lfs_block_t block, lfs_off_t offset, const void *buffer, lfs_size_t size)
{
	return LFS_ERR_IO;	/* read-only: the image is evidence */
}

static int refuseErase(const struct lfs_config *c, lfs_block_t block)
{
	return LFS_ERR_IO;
}

static int nothing(const struct lfs_config *c)
{
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: rec-extract IMAGE [OUTPUT_FOLDER]\n");
		return 2;
	}
	const char *output = argc > 2 ? argv[2] : ".";
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		fprintf(stderr, "rec-extract: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fseek(in, 0, SEEK_END);
	long length = ftell(in);
	fseek(in, 0, SEEK_SET);
	if (length < 2 * BLOCK_SIZE || length % BLOCK_SIZE) {
		fprintf(stderr, "rec-extract: %s: %ld bytes is not a whole number of 4 KB blocks (read the whole partition)\n", argv[1], length);
		return 1;
	}
	image = malloc(length);
	if (!image || fread(image, 1, length, in) != (size_t)length) {
		fprintf(stderr, "rec-extract: %s: cannot read it\n", argv[1]);
		return 1;
	}
	fclose(in);

	struct lfs_config config = {0};
	config.read = readBlock;
	config.prog = refuse;
	config.erase = refuseErase;
	config.sync = nothing;
#ifdef LFS_THREADSAFE
	config.lock = nothing;
	config.unlock = nothing;
#endif
	config.read_size = 16;
	config.prog_size = 16;
	config.cache_size = 512;
	config.lookahead_size = 16;
	config.block_size = BLOCK_SIZE;
	config.block_count = length / BLOCK_SIZE;
	config.block_cycles = 500;

	lfs_t lfs;
	if (lfs_mount(&lfs, &config)) {
		fprintf(stderr, "rec-extract: %s: not a littlefs image with 4 KB blocks (check the partition's offset and size)\n", argv[1]);
		return 1;
	}
	lfs_dir_t dir;
	if (lfs_dir_open(&lfs, &dir, "/")) {
		fprintf(stderr, "rec-extract: %s: cannot list its root folder\n", argv[1]);
		return 1;
	}
	int failed = 0, files = 0;
	struct lfs_info info;
	static char buffer[BLOCK_SIZE];
	while (lfs_dir_read(&lfs, &dir, &info) > 0) {
		if (info.type != LFS_TYPE_REG)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", output, info.name);
		lfs_file_t file;
		FILE *out = NULL;
		lfs_ssize_t got = 0;
		size_t copied = 0;
		if (lfs_file_open(&lfs, &file, info.name, LFS_O_RDONLY)) {
			fprintf(stderr, "rec-extract: %s: cannot open it in the image\n", info.name);
			failed = 1;
			continue;
		}
		out = fopen(path, "wb");
		if (!out) {
			fprintf(stderr, "rec-extract: %s: %s\n", path, strerror(errno));
			failed = 1;
		}
		else {
			while ((got = lfs_file_read(&lfs, &file, buffer, sizeof(buffer))) > 0 && fwrite(buffer, 1, got, out) == (size_t)got)
				copied += got;
			if (fclose(out) || got < 0 || copied != info.size) {
				fprintf(stderr, "rec-extract: %s: copied %zu of %u bytes\n", info.name, copied, (unsigned)info.size);
				failed = 1;
			}
			else {
				printf("%s %u\n", path, (unsigned)info.size);
				files++;
			}
		}
		lfs_file_close(&lfs, &file);
	}
	lfs_dir_close(&lfs, &dir);
	lfs_unmount(&lfs);
	if (!files && !failed)
		printf("rec-extract: %s: no files\n", argv[1]);
	return failed;
}
