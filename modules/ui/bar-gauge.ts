/*
 * A horizontal bar gauge (fuel, coolant) as a Piu template, a reusable
 * content: the scale's ends written either side ("E" and "F", "C" and "H"),
 * a track, a fill whose width is the quantised level, and an optional
 * warning zone marked under the track (the coolant's overheating range),
 * visible whatever the level. Its behaviour reads its gauge of the cluster
 * model when the page hands it `onModelChanged` (Change bits).
 *
 * Device only (Piu). Allocates the contents when a bar is built, nothing
 * after.
 */
import {} from "piu/MC";
import { Change, type ClusterModel } from "cluster/cluster";
import type { BarPlace } from "./cluster-layout.js";
import type { Look } from "./look.js";
import type { Container, Content } from "./piu-types.js";
import { ThemedBehavior } from "./themed.js";

/** What a bar is built from. */
export interface BarData {
	readonly model: ClusterModel;
	readonly look: Look;
	readonly place: BarPlace;
	/** The model's gauge it shows. */
	readonly gauge: "fuel" | "coolant";
	/** The scale's ends, left and right. */
	readonly ends: readonly [string, string];
	/** Where the warning zone starts, as a fraction of the scale; none when not in 0..1. */
	readonly zoneFrom: number;
}

/** The box holds the track (the fill inside it), the zone's mark under it, and the ends either side. */
export const BarGauge = Container.template(($: BarData) => {
	const { left, top, width, barHeight: height, endWidth } = $.place, look = $.look;
	// The ends' labels are twice their width high; the zone's mark under the track half the bar's height, at least 2 px.
	const labelHeight = endWidth * 2, mark = Math.max(2, Math.round(height / 2));
	const trackWidth = width - 2 * endWidth, barTop = Math.round(labelHeight / 2 - height / 2);
	const contents: Content[] = [
		new Container({ skin: "barTrackSkin" }, {
			left: endWidth, top: barTop, width: trackWidth, height, skin: look.barTrackSkin, Behavior: ThemedBehavior,
			contents: [new Content({ skin: "barSkin" }, { left: 0, top: 0, bottom: 0, width: 0, name: "fill", skin: look.barSkin, Behavior: ThemedBehavior })],
		}) as Container,
	];
	if ($.zoneFrom >= 0 && $.zoneFrom < 1) {
		const zoneLeft = Math.round($.zoneFrom * trackWidth);
		contents.push(new Content({ skin: "redlineSkin" }, {
			left: endWidth + zoneLeft, top: barTop + height + 1, width: trackWidth - zoneLeft, height: mark, skin: look.redlineSkin, Behavior: ThemedBehavior,
		}));
	}
	for (let i = 0; i < 2; i++)
		contents.push(new Label({ style: "scaleStyle" }, {
			left: i ? width - endWidth : 0, top: 0, width: endWidth, height: labelHeight, style: look.scaleStyle, string: $.ends[i], Behavior: ThemedBehavior,
		}));
	return { left, top: top + Math.round(height / 2 - labelHeight / 2), width, height: labelHeight, Behavior: BarBehavior, contents };
});

/** Reads the bar's gauge: the fill's width is its position, greyed while it is missing. */
class BarBehavior extends ThemedBehavior {
	private data: BarData | null = null;
	private fill: Content | null = null;
	private trackWidth = 0;
	/** Change bits of the gauge's level and of its being missing. */
	private levelBit = 0;
	private missingBit = 0;

	override onCreate(bar: Container, data: BarData): void {
		super.onCreate(bar, null);
		this.data = data;
		this.fill = (bar.first as Container).content("fill")!;
		this.trackWidth = data.place.width - 2 * data.place.endWidth;
		this.levelBit = data.gauge === "fuel" ? Change.fuel : Change.coolant;
		this.missingBit = data.gauge === "fuel" ? Change.fuelMissing : Change.coolantMissing;
	}

	onModelChanged(_bar: Container, changed: number): void {
		const gauge = this.data!.model[this.data!.gauge];
		if (changed & this.levelBit)
			this.fill!.width = Math.round(gauge.position / gauge.steps * this.trackWidth);
		if (changed & this.missingBit)
			this.fill!.state = gauge.missing ? 1 : 0;
	}
}
