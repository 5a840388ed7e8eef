/*
 * Screen geometry: a design (320 x 240 landscape, or 240 x 320 portrait)
 * scaled to the display and centred on it. Plain numbers; runs on XS (the
 * view) and Node; no allocation.
 */

/**
 * Screen geometry: a design (320 x 240 landscape, or 240 x 320 portrait)
 * scaled to the display and centred on it.
 */
export class Geometry {
	readonly width: number;
	readonly height: number;
	/** The design's size: 320 x 240, or 240 x 320 on a portrait screen. */
	readonly designWidth: number;
	readonly designHeight: number;
	readonly scale: number;
	constructor(width: number, height: number, designWidth: number, designHeight: number) {
		this.width = width;
		this.height = height;
		this.designWidth = designWidth;
		this.designHeight = designHeight;
		this.scale = Math.min(width / designWidth, height / designHeight);
	}
	get portrait(): boolean {
		return this.designHeight > this.designWidth;
	}
	/** A length of the design, scaled. */
	s(length: number): number {
		return Math.round(length * this.scale);
	}
	/** An x of the design, scaled and centred when the screen's shape differs from the design's. */
	x(x: number): number {
		return Math.round((this.width - this.designWidth * this.scale) / 2 + x * this.scale);
	}
	y(y: number): number {
		return Math.round((this.height - this.designHeight * this.scale) / 2 + y * this.scale);
	}
}
