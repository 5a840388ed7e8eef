/*
 * Telltale symbols after ISO 2575 / FMVSS 101, drawn as commodetto outlines in
 * a 24 x 20 box and scaled to the lamp's size: engine, oil can, battery,
 * thermometer in coolant, fuel pump, parking brake, seat belt, open door, high
 * beam. Lines are stroked (the skin's stroke colour), solids filled (its fill
 * colour), so a lamp's state picks both from the same skin.
 *
 * Device only (commodetto). Allocates the outlines once per lamp at start.
 */
import { Outline } from "commodetto/outline";
import { Telltale } from "cluster/telltales";

export interface TelltaleSymbol {
	fill: Outline | null;
	stroke: Outline | null;
}

const BOX_W = 24, BOX_H = 20;

/** The symbol of `telltale` scaled into `width` x `height`. */
export function telltaleSymbol(telltale: number, width: number, height: number): TelltaleSymbol {
	const line = new Outline.CanvasPath(), solid = new Outline.CanvasPath();
	let weight = 1.7;
	// Which symbols have solid parts (an empty path is not handed to the rasteriser).
	const hasSolid = telltale !== Telltale.checkEngine && telltale !== Telltale.parkingBrake;
	switch (telltale) {
	case Telltale.checkEngine:
		// Engine block seen from the side: valve cover on top, intake at left, fan at right.
		line.moveTo(2, 8); line.lineTo(4, 8); line.lineTo(4, 6); line.lineTo(8, 6); line.lineTo(8, 4); line.lineTo(14, 4);
		line.lineTo(14, 6); line.lineTo(17, 6); line.lineTo(19, 8); line.lineTo(21, 8); line.lineTo(21, 6); line.lineTo(23, 6);
		line.lineTo(23, 15); line.lineTo(21, 15); line.lineTo(21, 13); line.lineTo(19, 13); line.lineTo(17, 16); line.lineTo(7, 16);
		line.lineTo(4, 13); line.lineTo(2, 13); line.closePath();
		line.moveTo(9.5, 2); line.lineTo(12.5, 2);
		break;
	case Telltale.oilPressure:
		// Oil can with its spout, and a drop falling from it.
		line.moveTo(2, 9); line.lineTo(14, 9); line.lineTo(17, 12); line.lineTo(22, 8.5);
		line.lineTo(17, 15.5); line.lineTo(2, 15.5); line.closePath();
		line.moveTo(6, 9); line.lineTo(6, 6.5); line.lineTo(10, 6.5); line.lineTo(10, 9);
		solid.moveTo(22, 12); solid.quadraticCurveTo(23.6, 14.5, 22, 15.6); solid.quadraticCurveTo(20.4, 14.5, 22, 12); solid.closePath();
		break;
	case Telltale.battery:
		line.rect(2, 6, 20, 12);
		solid.rect(5, 3.5, 4, 2.5);
		solid.rect(15, 3.5, 4, 2.5);
		line.moveTo(5, 12); line.lineTo(9, 12);
		line.moveTo(15, 12); line.lineTo(19, 12); line.moveTo(17, 10); line.lineTo(17, 14);
		break;
	case Telltale.coolantTemp:
		// Thermometer standing in waves.
		line.moveTo(12, 2); line.lineTo(12, 11);
		line.moveTo(12, 4); line.lineTo(15.5, 4);
		line.moveTo(12, 7); line.lineTo(15.5, 7);
		solid.arc(12, 13, 2.6, 0, 2 * Math.PI); solid.closePath();
		line.moveTo(2, 17); line.quadraticCurveTo(4.5, 15, 7, 17); line.quadraticCurveTo(9.5, 19, 12, 17);
		line.quadraticCurveTo(14.5, 15, 17, 17); line.quadraticCurveTo(19.5, 19, 22, 17);
		break;
	case Telltale.lowFuel:
		// Fuel pump with its window and hose.
		line.rect(4, 3, 10, 15);
		solid.rect(6.5, 5.5, 5, 4);
		line.moveTo(2.5, 18); line.lineTo(15.5, 18);
		line.moveTo(14, 8); line.lineTo(17, 8); line.lineTo(19, 10); line.lineTo(19, 15.5); line.lineTo(21, 15.5); line.lineTo(21, 6.5); line.lineTo(19, 4.5);
		break;
	case Telltale.parkingBrake:
		// (P): the circle, the brackets either side, and the letter.
		line.arc(12, 10, 7, 0, 2 * Math.PI); line.closePath();
		line.moveTo(3.5, 4.5); line.quadraticCurveTo(0.5, 10, 3.5, 15.5);
		line.moveTo(20.5, 4.5); line.quadraticCurveTo(23.5, 10, 20.5, 15.5);
		line.moveTo(10.2, 14); line.lineTo(10.2, 6.2); line.lineTo(12.8, 6.2); line.quadraticCurveTo(15.2, 6.2, 15.2, 8.4);
		line.quadraticCurveTo(15.2, 10.6, 12.8, 10.6); line.lineTo(10.2, 10.6);
		weight = 1.5;
		break;
	case Telltale.highBeam:
		// A headlamp (flat back, round front) with its beam straight ahead, drawn to the left as cars do.
		solid.moveTo(13, 4); solid.bezierCurveTo(23.5, 4, 23.5, 16, 13, 16); solid.closePath();
		line.moveTo(2, 5); line.lineTo(10, 5);
		line.moveTo(2, 8.3); line.lineTo(10, 8.3);
		line.moveTo(2, 11.6); line.lineTo(10, 11.6);
		line.moveTo(2, 15); line.lineTo(10, 15);
		break;
	case Telltale.seatBelt:
		// A seated person, the belt across the chest.
		solid.arc(10, 3.5, 2.4, 0, 2 * Math.PI); solid.closePath();
		line.moveTo(10, 7); line.lineTo(9, 13); line.lineTo(16, 13); line.lineTo(17, 19);
		line.moveTo(10, 8); line.lineTo(14.5, 10.5);
		solid.moveTo(5.5, 7.5); solid.lineTo(7, 6.5); solid.lineTo(16.5, 17.5); solid.lineTo(15, 18.5); solid.closePath();
		break;
	case Telltale.doorOpen:
		// The car seen from above, front up, both front doors swung open.
		line.moveTo(7, 12); line.lineTo(7, 16); line.quadraticCurveTo(7, 18.5, 9.5, 18.5); line.lineTo(14.5, 18.5);
		line.quadraticCurveTo(17, 18.5, 17, 16); line.lineTo(17, 12);
		line.moveTo(17, 7); line.lineTo(17, 4.5); line.quadraticCurveTo(17, 1.5, 14, 1.5); line.lineTo(10, 1.5);
		line.quadraticCurveTo(7, 1.5, 7, 4.5); line.lineTo(7, 7);
		line.moveTo(9, 5.5); line.lineTo(15, 5.5);
		line.moveTo(9.5, 15); line.lineTo(14.5, 15);
		solid.moveTo(7, 7); solid.lineTo(2, 10.5); solid.lineTo(3, 12); solid.lineTo(7, 9.4); solid.closePath();
		solid.moveTo(17, 7); solid.lineTo(22, 10.5); solid.lineTo(21, 12); solid.lineTo(17, 9.4); solid.closePath();
		break;
	default:
		return { fill: null, stroke: null };
	}
	const sx = width / BOX_W, sy = height / BOX_H, scale = Math.min(sx, sy);
	const dx = (width - BOX_W * scale) / 2, dy = (height - BOX_H * scale) / 2;
	const fill = hasSolid ? Outline.fill(solid).scale(scale).translate(dx, dy) : null;
	const stroke = Outline.stroke(line, weight, Outline.LINECAP_ROUND, Outline.LINEJOIN_ROUND).scale(scale).translate(dx, dy);
	return { fill, stroke };
}
