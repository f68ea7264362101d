/** Merge on expiry, property: the first half of the random histories (the other half runs beside it in its own file). */
import {describeMergeProperty, runs} from './merge-property.js';

describeMergeProperty(Math.ceil(runs / 2), 'first half');
