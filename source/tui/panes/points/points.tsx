/** An item's recovery points, the selected one described on the last line: render only. */
import type {Price} from '../../../engine/index.js';
import {Pane, type PaneLine} from '../../components/pane.js';
import type {Theme} from '../../theme.js';

export function PointsPane({item, count, lines, price, width, height, theme}: {item: string; count: number; lines: PaneLine[]; price: Price; width: number; height: number; theme: Theme}) {
	return <Pane title={`Recovery points of ${item} (${count}), cost per month in ${price.currency}`} lines={lines} width={width} height={height} focused theme={theme} />;
}
