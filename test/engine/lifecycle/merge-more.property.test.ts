/** Merge on expiry, property: the second half of the random histories, in a file of its own so both halves run at once. */
import {describeMergeProperty, runs} from './merge-property.js';

describeMergeProperty(Math.floor(runs / 2), 'second half');
