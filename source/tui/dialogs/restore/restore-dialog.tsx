/** The restore dialog: target, an optional disk or table, what will happen, and how to go on. Render only. */
import {Box, Text} from 'ink';
import {formatRecoveryPointId} from '../../../engine/index.js';
import type {Theme} from '../../theme.js';
import type {RestoreDialog as Dialog} from '../../state/dialog-state.js';

export function RestoreDialog({dialog, disks, width, theme}: {dialog: Dialog; /** The item's disk names (a volume item). */ disks: string[]; width: number; theme: Theme}) {
	const database = dialog.target === 'database';
	const point = formatRecoveryPointId(dialog.rpId);
	const label = database ? 'Database name' : 'Target path';
	const extraLabel = database ? 'Table (SCHEMA.TABLE, optional)' : `Disk (optional: ${disks.join(', ')})`;
	const cursor = (field: Dialog['field']) => (dialog.field === field && !dialog.confirming ? '_' : '');
	const keys = database ? 'Tab: next field  Enter: review  Esc: cancel' : 'Tab: complete path  Up/Down: field  Enter: review  Esc: cancel';
	return (
		<Box flexDirection="column" borderStyle={theme.border} borderColor={theme.accent} paddingX={1} width={width}>
			<Text bold color={theme.accent}>
				Restore {point} of {dialog.item}
			</Text>
			<Text>
				{label}: {dialog.to}
				{cursor('to')}
			</Text>
			{dialog.candidates.length > 0 ? (
				<Text color={theme.muted} wrap="truncate-end">
					{`  ${dialog.candidates.join('  ')}`}
				</Text>
			) : null}
			<Text>
				{extraLabel}: {dialog.extra}
				{cursor('extra')}
			</Text>
			<Text color={theme.muted}>
				{database ? `Writes the dump of ${point} into database ${dialog.to || '?'}${dialog.extra ? ` (table ${dialog.extra} only)` : ''}; an existing non-empty database is refused.` : `Writes ${dialog.extra || 'every disk'} as of ${point}; target is ${dialog.toState}.`}
			</Text>
			<Text bold>{dialog.confirming ? 'Type y to start the restore, n to go back.' : keys}</Text>
		</Box>
	);
}
