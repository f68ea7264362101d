/** The Policies pane: render only. */
import {DashboardPane, type DashboardPaneProps} from '../../components/pane.js';

export function PoliciesPane(props: DashboardPaneProps) {
	return <DashboardPane name="policies" {...props} />;
}
