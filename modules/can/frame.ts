/*
 * The one CAN frame representation of xs-cluster.
 *
 * A frame is plain data. Drivers, parsers and the ring copy into a `CanFrame`
 * the caller owns, so the hot path reuses one object instead of making one per
 * frame. Runs on XS and Node; allocates only in the constructor.
 */

/** Flag bits of `CanFrame.flags`. */
export const FrameFlag = Object.freeze({
	/** 29-bit identifier (CAN 2.0B); without it the id is 11 bits. */
	extended: 1,
	/** Remote transmission request: no data, `dlc` is the length asked for. */
	remote: 2,
	/** Error frame reported by the controller or the log; `id` holds the error class. */
	error: 4,
});

export const STANDARD_ID_MASK = 0x7FF;
export const EXTENDED_ID_MASK = 0x1FFFFFFF;
export const MAX_DLC = 8;

export class CanFrame {
	/** 11- or 29-bit identifier, without flag bits. */
	id = 0;
	/** `FrameFlag` bits. */
	flags = 0;
	/** Data length code, 0..8. */
	dlc = 0;
	/** Payload; bytes past `dlc` are zero. */
	readonly data = new Uint8Array(MAX_DLC);
	/** Arrival or log time in milliseconds (log timestamps keep their epoch). */
	timestamp = 0;

	get extended(): boolean {
		return (this.flags & FrameFlag.extended) !== 0;
	}
	get remote(): boolean {
		return (this.flags & FrameFlag.remote) !== 0;
	}
	get error(): boolean {
		return (this.flags & FrameFlag.error) !== 0;
	}

	/** Copies another frame into this one. No allocation. */
	copyFrom(other: CanFrame): this {
		this.id = other.id;
		this.flags = other.flags;
		this.dlc = other.dlc;
		this.data.set(other.data);
		this.timestamp = other.timestamp;
		return this;
	}
}

/**
 * Bits a data frame takes on the wire: the fixed fields (47 for an 11-bit id,
 * 67 for a 29-bit one, interframe space included) and the payload, plus half
 * the worst-case stuff bits, a middle estimate for ordinary payloads. What a
 * bus-load estimate adds up; the native engine counts the same.
 */
export function frameBits(dlc: number, extended: boolean): number {
	const stuffable = (extended ? 54 : 34) + 8 * dlc;
	return (extended ? 67 : 47) + 8 * dlc + ((stuffable - 1) >> 3);
}
