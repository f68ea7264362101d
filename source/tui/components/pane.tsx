/** A titled, bordered box of fixed size holding lines of text; the focused pane's border is highlighted. */
import {Box, Text} from 'ink';
import {dashboardPanes, type PaneName, paneTitles} from '../state/console-state.js';
import type {Theme} from '../theme.js';
import {fit} from '../format.js';

export type PaneLine = {text: string; selected?: boolean; muted?: boolean; error?: boolean};

export function Pane({title, lines, width, height, focused, theme}: {title: string; lines: PaneLine[]; width: number; height: number; focused: boolean; theme: Theme}) {
	const inner = Math.max(0, width - 4);
	const rows = Math.max(0, height - 3);
	const shown = lines.slice(0, rows);
	return (
		<Box flexDirection="column" width={width} height={height} borderStyle={theme.border} borderColor={focused ? theme.accent : theme.muted} paddingX={1}>
			<Text bold inverse={focused && !theme.color} color={focused ? theme.accent : undefined}>
				{fit(title, inner, theme.ellipsis)}
			</Text>
			{shown.map((line, index) => (
				<Text key={index} inverse={line.selected} color={line.error ? theme.error : line.muted ? theme.muted : undefined}>
					{fit(line.text, inner, theme.ellipsis)}
				</Text>
			))}
		</Box>
	);
}

export type DashboardPaneProps = {lines: PaneLine[]; selected: number; width: number; height: number; focused: boolean; theme: Theme};

/** One of the dashboard's four panes, titled with its key (1-4) and name; the selected row marked while focused. */
export function DashboardPane({name, lines, selected, width, height, focused, theme}: DashboardPaneProps & {name: PaneName}) {
	const marked = lines.map((line, index) => ({...line, selected: focused && index === selected && !line.muted}));
	return <Pane title={`${dashboardPanes.indexOf(name) + 1} ${paneTitles[name]}`} lines={marked} width={width} height={height} focused={focused} theme={theme} />;
}

/** The window of `lines` that keeps `selected` visible in `rows` rows. */
export function windowed<T>(lines: readonly T[], selected: number, rows: number): {items: T[]; offset: number} {
	if (lines.length <= rows) return {items: [...lines], offset: 0};
	const offset = Math.max(0, Math.min(selected - rows + 1, lines.length - rows));
	const start = Math.max(0, Math.min(offset, selected));
	return {items: lines.slice(start, start + rows), offset: start};
}
