/** The points view's frame, from rows the snapshot computed: what expiry frees and the cost are plain data here. */
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import type {PointRow} from '../../../../source/tui/data/snapshot.js';
import {PointsPane} from '../../../../source/tui/panes/points/points.js';
import {pointLines} from '../../../../source/tui/panes/points/use-points-data.js';
import {makeTheme} from '../../../../source/tui/theme.js';
import {flush} from '../../../helpers/ink.js';

const price = {perGibMonth: 0.1, currency: 'USD'};
const point = (id: number, overrides: Partial<PointRow>): PointRow => ({
	id,
	itemId: 1,
	item: 'web01',
	kind: 'volume',
	type: 'incremental',
	trigger: 'scheduled',
	baseId: id - 1,
	createdAt: `2026-03-0${id}T02:30:00.000Z`,
	expiresAt: `2026-03-1${id}T02:30:00.000Z`,
	retainUntil: undefined,
	ownedBlocks: 20,
	changedBlocks: 20,
	logicalBytes: 327_680,
	storedBytes: 7300,
	disks: [{name: 'web01.img', size: 32 * 1024 * 1024}],
	meta: {},
	monthlyCost: 6.9e-7,
	freesBytes: 857,
	...overrides,
});

describe('the points view', () => {
	it('shows each point with its cost and what expiring it frees, the selected one described last', async () => {
		const rows = [point(1, {type: 'full', baseId: undefined, ownedBlocks: 2048, storedBytes: 9_227_468, monthlyCost: 0.00086, freesBytes: 934_912}), point(2, {trigger: 'on-demand'})];
		const theme = makeTheme({NO_COLOR: '1', LANG: 'C.UTF-8'});
		const ui = render(<PointsPane item="web01" count={rows.length} lines={pointLines(rows, 1, price, 80, 9)} price={price} width={80} height={9} theme={theme} />);
		await flush();
		expect(ui.lastFrame()).toBe(
			[
				'╭──────────────────────────────────────────────────────────────────────────────╮',
				'│ Recovery points of web01 (2), cost per month in USD                          │',
				'│ ID    TYPE        TRIG   CREATED     EXPIRES     OWNED STORED    COST  FREES │',
				'│ rp1   full        sched  03-01 02:30 03-11 02:30  2048   8.8M 0.00086   913K │',
				'│ rp2   incremental on-dem 03-02 02:30 03-12 02:30    20   7.1K  6.9e-7   857B │',
				'│                                                                              │',
				'│                                                                              │',
				'│ rp2 on rp1: web01.img 32M, 20 blocks changed                                 │',
				'╰──────────────────────────────────────────────────────────────────────────────╯',
			].join('\n'),
		);
		ui.unmount();
	});
});
