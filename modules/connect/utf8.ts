/*
 * UTF-8 to and from bytes without TextEncoder, which XS on the device does
 * not have as a global (Moddable's is a module) and Node does: one version for
 * both. Runs on XS and Node; `utf8Bytes` and `utf8Text` allocate their result.
 */

/** Bytes `text` takes in UTF-8. No allocation. */
export function utf8Length(text: string): number {
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80)
			n += 1;
		else if (c < 0x800)
			n += 2;
		else if (c >= 0xD800 && c < 0xDC00 && i + 1 < text.length) {
			n += 4;
			i++;
		}
		else
			n += 3;
	}
	return n;
}

/** `text` as UTF-8 in a new Uint8Array. Allocates it. */
export function utf8Bytes(text: string): Uint8Array {
	const bytes = new Uint8Array(utf8Length(text));
	let at = 0;
	for (let i = 0; i < text.length; i++) {
		let c = text.charCodeAt(i);
		if (c < 0x80)
			bytes[at++] = c;
		else if (c < 0x800) {
			bytes[at++] = 0xC0 | c >> 6;
			bytes[at++] = 0x80 | c & 0x3F;
		}
		else if (c >= 0xD800 && c < 0xDC00 && i + 1 < text.length) {
			c = 0x10000 + ((c - 0xD800) << 10) + (text.charCodeAt(++i) - 0xDC00);
			bytes[at++] = 0xF0 | c >> 18;
			bytes[at++] = 0x80 | c >> 12 & 0x3F;
			bytes[at++] = 0x80 | c >> 6 & 0x3F;
			bytes[at++] = 0x80 | c & 0x3F;
		}
		else {
			bytes[at++] = 0xE0 | c >> 12;
			bytes[at++] = 0x80 | c >> 6 & 0x3F;
			bytes[at++] = 0x80 | c & 0x3F;
		}
	}
	return bytes;
}

/** The UTF-8 text in `bytes[0, length)`, or null when it is not valid UTF-8 (or holds a NUL). Allocates the string. */
export function utf8Text(bytes: Uint8Array, length = bytes.length): string | null {
	let text = "";
	for (let i = 0; i < length;) {
		const b = bytes[i];
		let c: number, extra: number;
		if (b === 0)
			return null;
		if (b < 0x80) {
			c = b;
			extra = 0;
		}
		else if ((b & 0xE0) === 0xC0) {
			c = b & 0x1F;
			extra = 1;
		}
		else if ((b & 0xF0) === 0xE0) {
			c = b & 0x0F;
			extra = 2;
		}
		else if ((b & 0xF8) === 0xF0) {
			c = b & 0x07;
			extra = 3;
		}
		else
			return null;
		if (i + extra >= length && extra)
			return null;
		for (let k = 1; k <= extra; k++) {
			const next = bytes[i + k];
			if ((next & 0xC0) !== 0x80)
				return null;
			c = c << 6 | next & 0x3F;
		}
		if ((extra === 1 && c < 0x80) || (extra === 2 && c < 0x800) || (extra === 3 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c < 0xE000))
			return null;
		text += String.fromCharCode(...(c >= 0x10000 ? [0xD800 + ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) & 0x3FF)] : [c]));
		i += extra + 1;
	}
	return text;
}
