/** The keys, one row each: a description that wraps stays in its column. Render only. */
import {Box, Text} from 'ink';
import type {Theme} from '../../theme.js';

export const helpLines: Array<[string, string]> = [
	['Tab / Shift-Tab, 1-4', 'focus the Policies, Jobs, Churn or Storage cost pane'],
	['j / k, arrows', 'move the selection'],
	['Enter', 'zoom the pane; in a zoomed pane, open the item\'s points or the job'],
	['Esc', 'go back, close a dialog, clear the filter'],
	['/', 'filter the focused list (type, Enter to keep, Esc to clear)'],
	['r', 'restore the selected recovery point (in an item\'s points)'],
	['b', 'back up the selected item now (on-demand backup)'],
	['v', 'verify the selected item\'s data'],
	['?', 'this help'],
	['q', 'quit (jobs started here keep running)'],
];

const keysWidth = 23;

export function Help({width, theme}: {width: number; theme: Theme}) {
	return (
		<Box flexDirection="column" borderStyle={theme.border} paddingX={1} width={width}>
			<Text bold color={theme.accent}>
				Keys
			</Text>
			{helpLines.map(([keys, what]) => (
				<Box key={keys}>
					<Box width={keysWidth} flexShrink={0}>
						<Text>{keys}</Text>
					</Box>
					<Text>{what}</Text>
				</Box>
			))}
			<Text color={theme.muted}>Jobs started here run detached: they survive closing the console or the SSH session.</Text>
		</Box>
	);
}
