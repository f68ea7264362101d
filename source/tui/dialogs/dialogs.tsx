/** Help, the restore and backup dialogs, and the quit question: render only. */
import {existsSync, statSync} from 'node:fs';
import {Box, Text} from 'ink';
import type {Item} from '../../engine/index.js';
import type {Dialog} from '../hooks/use-console-state.js';
import type {Theme} from '../theme.js';

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

export function Help({width, theme}: {width: number; theme: Theme}) {
	return (
		<Box flexDirection="column" borderStyle={theme.border} paddingX={1} width={width}>
			<Text bold color={theme.accent}>
				Keys
			</Text>
			{helpLines.map(([keys, what]) => (
				<Text key={keys}>
					{keys.padEnd(22)} {what}
				</Text>
			))}
			<Text color={theme.muted}>Jobs started here run detached: they survive closing the console or the SSH session.</Text>
		</Box>
	);
}

function targetState(path: string): string {
	if (path === '') return 'not given yet';
	if (!existsSync(path)) return 'new';
	const info = statSync(path);
	return info.isDirectory() ? 'an existing folder: one file per disk inside it' : info.size > 0 ? 'EXISTS and is not empty: refused (use the CLI with --force)' : 'exists, empty';
}

export function RestoreDialog({dialog, item, width, theme}: {dialog: Extract<Dialog, {kind: 'restore'}>; item: Item; width: number; theme: Theme}) {
	const database = item.kind === 'postgres';
	const label = database ? 'Database name' : 'Target path';
	const extraLabel = database ? 'Table (SCHEMA.TABLE, optional)' : `Disk (optional: ${item.disks.map(disk => disk.name).join(', ')})`;
	const cursor = (field: 0 | 1) => (dialog.field === field && !dialog.confirming ? '_' : '');
	return (
		<Box flexDirection="column" borderStyle={theme.border} borderColor={theme.accent} paddingX={1} width={width}>
			<Text bold color={theme.accent}>
				Restore rp{dialog.rpId} of {item.name}
			</Text>
			<Text>
				{label}: {dialog.target}
				{cursor(0)}
			</Text>
			<Text>
				{extraLabel}: {dialog.extra}
				{cursor(1)}
			</Text>
			<Text color={theme.muted}>
				{database ? `Writes the dump of rp${dialog.rpId} into database ${dialog.target || '?'}${dialog.extra ? ` (table ${dialog.extra} only)` : ''}; an existing non-empty database is refused.` : `Writes ${dialog.extra || 'every disk'} as of rp${dialog.rpId}; target is ${targetState(dialog.target)}.`}
			</Text>
			<Text bold>{dialog.confirming ? 'Type y to start the restore, n to go back.' : 'Tab: next field  Enter: review  Esc: cancel'}</Text>
		</Box>
	);
}

export function BackupDialog({dialog, width, theme}: {dialog: Extract<Dialog, {kind: 'backup'}>; width: number; theme: Theme}) {
	return (
		<Box flexDirection="column" borderStyle={theme.border} borderColor={theme.accent} paddingX={1} width={width}>
			<Text bold color={theme.accent}>
				Back up {dialog.item} now
			</Text>
			<Text>Type: {(['incremental', 'differential', 'full'] as const).map(type => (type === dialog.type ? `[${type}]` : ` ${type} `)).join(' ')}</Text>
			<Text>
				Keep for days: {dialog.days}
				{dialog.confirming ? '' : '_'}
			</Text>
			<Text color={theme.muted}>The first backup of an item is always a full. Empty days: kept until removed.</Text>
			<Text bold>{dialog.confirming ? 'Type y to start the backup, n to go back.' : 'Left/Right: type  digits: days  Enter: review  Esc: cancel'}</Text>
		</Box>
	);
}

export function QuitQuestion({running, theme}: {running: number; theme: Theme}) {
	return (
		<Box borderStyle={theme.border} borderColor={theme.accent} paddingX={1}>
			<Text>
				{running} job(s) started here are still running; they keep running after you quit. Quit? y/n
			</Text>
		</Box>
	);
}
