/*
 * ClusterView: the Piu application and its pages, each built from its
 * template: the cluster page (cluster-page.ts: dials, bar gauges, lamps),
 * the trip and diagnostics pages and the driver menu over them (pages.ts),
 * and the alert pop-up over every page (cluster-page.ts).
 *
 * The view never decides what to show; ClusterModel and the screen model
 * do, and the dashboard hands `draw` a bit per element that changed. The
 * view hands the bits to the pages' behaviours, which read the models and
 * touch only the contents whose value changed, so an idle display costs no
 * drawing. A theme change distributes the theme's look through the tree
 * (themed.ts). Its clock behaviour runs the dashboard's display tick.
 *
 * Device only (Piu); allocates its contents at construction.
 */
import {} from "piu/MC";
import { Change, type ClusterModel } from "cluster/cluster";
import type { Diagnostics } from "cluster/diagnostics";
import { type Page, PAGES, ScreenChange, type ScreenModel } from "cluster/screen";
import { clusterLayout } from "./cluster-layout.js";
import { ClusterPage, type ClusterPageData, Popup } from "./cluster-page.js";
import { Geometry } from "./geometry.js";
import { type Look, looksFor } from "./look.js";
import { DiagnosticsPage, DriverMenuPanel, type PageData, TripPage, buildPage } from "./pages.js";
import type { Application, Container } from "./piu-types.js";

/** What the view is built from: the models it reads, and where its touches and clock go. */
export interface ViewParts {
	model: ClusterModel;
	screen: ScreenModel;
	diagnostics: Diagnostics;
	/** The CAN source's description, for the diagnostics title. */
	sourceName: string;
	/** A touch on `target` (Touch), `index` its row or button: Dashboard.touch. */
	touch(target: number, index?: number): void;
	/** The display clock: Dashboard.tick, which calls `draw`. */
	tick(): void;
}

export class ClusterView {
	readonly application: Application;

	private readonly model: ClusterModel;
	private readonly screen: ScreenModel;
	/** Day and night, sized for this screen. */
	private readonly looks: Look[];
	private readonly pages: Record<Page, Container>;
	private readonly popup: Container;
	private readonly menuPanel: Container;
	private current: Page = "cluster";

	/**
	 * Builds the view for the display as the host's rotation makes it: the
	 * landscape layout (320 x 240, 480 x 320...), or the portrait one on a
	 * screen taller than wide, on the screen model's page.
	 */
	constructor(parts: ViewParts) {
		const model = this.model = parts.model;
		this.screen = parts.screen;

		class ClockBehavior extends Behavior {
			onCreate(application: Application) {
				// 50 a second asked: timers in the Linux simulator run late, and 33 ms gave it only 24.
				application.interval = 20;
				application.start();
			}
			onTimeChanged(_application: Application) {
				parts.tick();
			}
		}

		// The application first: its size is the screen's after the host's rotation (a 240 x 320 panel turned 90 degrees is 320 x 240).
		this.application = new Application(null, {
			left: 0, top: 0, right: 0, bottom: 0, Behavior: ClockBehavior,
			commandListLength: 8192, displayListLength: 8192, touchCount: 1,
		} as ConstructorParameters<typeof Application>[1]);
		const width = this.application.width, height = this.application.height;
		// A portrait screen gets the portrait design (the build may instead turn the panel, see README "Screen sizes").
		const layout = clusterLayout(width, height);
		const g = layout.portrait ? new Geometry(width, height, 240, 320) : new Geometry(width, height, 320, 240);
		this.looks = looksFor(layout.textScale);
		const look = this.looks[model.theme.theme];

		const data: PageData = { g, look, model, screen: parts.screen, diagnostics: parts.diagnostics, sourceName: parts.sourceName, touch: parts.touch };
		const clusterData: ClusterPageData = { layout, look, model, screen: parts.screen, touch: parts.touch };
		this.pages = { cluster: new ClusterPage(clusterData) as Container, trip: buildPage(TripPage, data), diagnostics: buildPage(DiagnosticsPage, data) };
		this.popup = new Popup(clusterData) as Container;
		this.menuPanel = buildPage(DriverMenuPanel, data);
		for (const name of PAGES)
			this.application.add(this.pages[name]);
		// The pop-up shows over every page (the chime sounds whatever the page), the driver menu over it.
		this.application.add(this.popup);
		this.application.add(this.menuPanel);
		this.showPage();
		this.applyTheme();
	}

	/**
	 * Redraws what changed: `changed` (ClusterModel Change bits) and
	 * `screenChanged` (ScreenChange bits). Dashboard.tick calls it; true when
	 * anything on screen was touched.
	 */
	draw(changed: number, screenChanged: number, _now: number): boolean {
		if (screenChanged & ScreenChange.page)
			this.showPage();
		if (changed & Change.theme)
			this.applyTheme();
		if (changed)
			this.pages.cluster.delegate("onModelChanged", changed);
		if (screenChanged & ScreenChange.popup)
			this.popup.delegate("onScreenChanged", screenChanged);
		// The text pages' behaviours read the screen model: the shown one now, the others' labels as they change.
		if (screenChanged & ~ScreenChange.popup) {
			for (const name of PAGES)
				if (name !== "cluster" && (name === this.current || screenChanged & ScreenChange.labels))
					this.pages[name].delegate("onScreenChanged", name === this.current ? screenChanged : ScreenChange.labels);
			if (screenChanged & ScreenChange.menu)
				this.menuPanel.delegate("onScreenChanged", screenChanged);
		}
		return true;
	}

	private showPage(): void {
		const page = this.screen.page;
		for (const name of PAGES)
			this.pages[name].visible = name === page;
		this.current = page;
	}

	/** The theme's look on everything: each content's behaviour puts on what its role or state asks (ThemedBehavior). */
	private applyTheme(): void {
		const look = this.looks[this.model.theme.theme];
		this.application.skin = look.background;
		this.application.distribute("onThemeChanged", look);
		// A new skin on a container does not invalidate what it covers: hide and show the page to redraw it whole.
		const page = this.screen.menu.isOpen ? this.menuPanel : this.pages[this.current];
		page.visible = false;
		page.visible = true;
	}
}
