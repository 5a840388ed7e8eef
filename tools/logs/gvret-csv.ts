/*
 * SavvyCAN's native CSV (GVRET CSV) for the command line. Node only;
 * allocates per line (see text-log.ts).
 *
 *   Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8
 *   1579857014345944,0x00000486,false,Rx,0,8,82,96,7A,6B,00,6B,07,F8,
 * Columns are found by name in the header (case and spaces ignored; older
 * files lack Dir). Time Stamp is in microseconds; ID is hex with or without
 * `0x`; Extended is true/false (or 1/0; without it an id above 7FF is
 * extended); bytes are hex with or without `0x`. LEN above 8 (CAN FD) is
 * skipped as unsupported. Rows before the header are malformed.
 */
import { MalformedLine, TextLogReader, decimalField, hexField, timeField } from "./text-log.js";
import { FrameFlag } from "../../modules/can/frame.js";

export class GvretCsvLogReader extends TextLogReader {
	readonly format = "gvret-csv";
	private timeColumn = -1;
	private idColumn = -1;
	private extendedColumn = -1;
	private lengthColumn = -1;
	private dataColumn = -1;

	protected parseLine(text: string): void {
		if (text.trim() === "") {
			this.ignore();
			return;
		}
		const cells = text.split(",").map(cell => cell.trim());
		if (/^time\s*stamp$/i.test(cells[0])) {
			const names = cells.map(cell => cell.toLowerCase().replace(/\s+/g, ""));
			this.timeColumn = 0;
			this.idColumn = names.indexOf("id");
			this.extendedColumn = names.indexOf("extended");
			this.lengthColumn = names.indexOf("len");
			this.dataColumn = names.indexOf("d1");
			if (this.idColumn < 0 || this.lengthColumn < 0 || this.dataColumn < 0)
				throw new MalformedLine("header lacks one of ID, LEN, D1");
			this.ignore();
			return;
		}
		if (this.timeColumn < 0)
			throw new MalformedLine("row before the 'Time Stamp,ID,Extended,...' header");
		const micros = timeField(cells[this.timeColumn], "time stamp");
		const id = hexField(cells[this.idColumn], "id", 0x1FFFFFFF);
		let extended = id > 0x7FF;
		if (this.extendedColumn >= 0) {
			const flag = (cells[this.extendedColumn] ?? "").toLowerCase();
			if (flag !== "true" && flag !== "false" && flag !== "1" && flag !== "0")
				throw new MalformedLine(`Extended '${cells[this.extendedColumn] ?? ""}' is not true or false`);
			extended = flag === "true" || flag === "1";
		}
		if (!extended && id > 0x7FF)
			throw new MalformedLine(`standard id '${cells[this.idColumn]}' is above 7FF`);
		const length = decimalField(cells[this.lengthColumn], "LEN", 64);
		if (length > 8) {
			this.skipUnsupported();
			return;
		}
		for (let b = 0; b < length; b++)
			this.data[b] = hexField(cells[this.dataColumn + b], `D${b + 1}`, 0xFF);
		this.pushFrame(id, extended ? FrameFlag.extended : 0, length, length, micros / 1000);
	}
}
