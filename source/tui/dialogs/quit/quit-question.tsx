/** Asked on q while jobs started here still run: render only. */
import {Box, Text} from 'ink';
import type {Theme} from '../../theme.js';

export function QuitQuestion({running, theme}: {running: number; theme: Theme}) {
	return (
		<Box borderStyle={theme.border} borderColor={theme.accent} paddingX={1}>
			<Text>
				{running} job(s) started here are still running; they keep running after you quit. Quit? y/n
			</Text>
		</Box>
	);
}
