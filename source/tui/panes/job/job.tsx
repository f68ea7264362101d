/** A job's full record, on Enter in the zoomed Jobs pane: render only. */
import {Pane, type PaneLine} from '../../components/pane.js';
import type {Theme} from '../../theme.js';

export function JobPane({lines, width, height, theme}: {lines: PaneLine[]; width: number; height: number; theme: Theme}) {
	return <Pane title="Job" lines={lines} width={width} height={height} focused theme={theme} />;
}
