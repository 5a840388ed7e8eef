/*
 * A packed list of CAN frames: how the bench and the XS tests hand frames from
 * Node to the XS worker, and the "driver buffer" the bench receives from.
 *
 * Bytes: u32 count (little-endian), then 16 bytes per frame: u32 id, u8 flags,
 * u8 dlc, 2 bytes padding, 8 data bytes. `unpackFrames` splits them into
 * typed arrays once, so a workload reads a frame's fields the way a driver's
 * interrupt handler would, without building objects. Runs on XS and Node;
 * `packFrames` and `unpackFrames` allocate, reading a FrameSource does not.
 */
export const PACKED_FRAME_BYTES = 16;

export interface FrameFields {
	id: number;
	flags: number;
	dlc: number;
	data: ArrayLike<number>;
}

/** Frames as parallel typed arrays: `data` holds 8 bytes per frame. */
export class FrameSource {
	readonly count: number;
	readonly ids: Uint32Array;
	readonly flags: Uint8Array;
	readonly dlcs: Uint8Array;
	readonly data: Uint8Array;

	constructor(count: number) {
		this.count = count;
		this.ids = new Uint32Array(count);
		this.flags = new Uint8Array(count);
		this.dlcs = new Uint8Array(count);
		this.data = new Uint8Array(count * 8);
	}
}

/** Host side: packs frames for the worker. Allocates. */
export function packFrames(frames: ReadonlyArray<FrameFields>): Uint8Array {
	const out = new Uint8Array(4 + frames.length * PACKED_FRAME_BYTES);
	const view = new DataView(out.buffer);
	view.setUint32(0, frames.length, true);
	frames.forEach((frame, i) => {
		const at = 4 + i * PACKED_FRAME_BYTES;
		view.setUint32(at, frame.id >>> 0, true);
		out[at + 4] = frame.flags;
		out[at + 5] = frame.dlc;
		for (let b = 0; b < 8 && b < frame.data.length; b++)
			out[at + 8 + b] = frame.data[b];
	});
	return out;
}

/** Splits packed frames into a FrameSource. Allocates the arrays. */
export function unpackFrames(bytes: Uint8Array): FrameSource {
	const count = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
	const source = new FrameSource(count);
	for (let i = 0; i < count; i++) {
		const at = 4 + i * PACKED_FRAME_BYTES;
		source.ids[i] = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
		source.flags[i] = bytes[at + 4];
		source.dlcs[i] = bytes[at + 5];
		for (let b = 0; b < 8; b++)
			source.data[i * 8 + b] = bytes[at + 8 + b];
	}
	return source;
}
