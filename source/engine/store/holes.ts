/**
 * Finding a sparse file's holes with lseek(2)'s SEEK_DATA and SEEK_HOLE, so a backup reads only its data. Node's fs
 * has no lseek: fs-ext (a small native addon built at install) passes `whence` through to lseek unchanged.
 *
 * Terms: a hole is a range of a file with no storage behind it, read as zeros; a data extent is the rest. A filesystem
 * without SEEK_DATA (EINVAL) reports the whole file as data, and so does a missing addon: the file is then read in
 * full, as before. Block devices report no holes (a thin device's unmapped ranges are not visible this way).
 *
 * The map is walked as the backup goes, from the current position forward, remembering only the last segment found:
 * memory stays flat whatever the number of extents (a 1 TiB image may have millions).
 */
import {createRequire} from 'node:module';

/** lseek's whence values for data and holes (Linux, also FreeBSD, illumos and macOS). */
const seekData = 3;
const seekHole = 4;

type Seek = (fd: number, position: number, whence: number) => number;

function loadSeek(): Seek | undefined {
	try {
		const fsExt = createRequire(import.meta.url)('fs-ext') as {seekSync: Seek};
		return fsExt.seekSync;
	} catch {
		return undefined;
	}
}

const seek = loadSeek();

/** Whether this build can ask the filesystem for holes at all (the native addon loaded). */
export function canSeekHoles(): boolean {
	return seek !== undefined;
}

/** A range [start, end) of the file, data or hole. */
type Segment = {start: number; end: number; data: boolean};

/**
 * The data extents of an open regular file of `size` bytes, asked for in increasing positions. Positions past `size`
 * are holes (nothing to read).
 */
export class DataExtents {
	/** The last segment found; a query inside it costs no system call. */
	private segment: Segment = {start: 0, end: 0, data: true};
	/** Cleared when the filesystem cannot tell (EINVAL): everything is data from then on. */
	private supported: boolean;

	constructor(
		private readonly fd: number,
		readonly size: number,
	) {
		this.supported = seek !== undefined;
	}

	/** The segment holding `position` (which must be below size): data or hole, as far as it goes. */
	private segmentAt(position: number): Segment {
		if (position >= this.segment.start && position < this.segment.end) return this.segment;
		if (!this.supported) return (this.segment = {start: position, end: this.size, data: true});
		const data = this.seek(position, seekData);
		if (data === undefined) return (this.segment = {start: position, end: this.size, data: true});
		if (data > position) return (this.segment = {start: position, end: Math.min(data, this.size), data: false});
		const hole = this.seek(position, seekHole) ?? this.size;
		return (this.segment = {start: position, end: Math.min(Math.max(hole, position + 1), this.size), data: true});
	}

	/**
	 * lseek; ENXIO (no data past `position`, or `position` at or past the end) reads as the file's size. Returns
	 * undefined when the filesystem does not support the request (EINVAL, EOPNOTSUPP): every byte counts as data then.
	 */
	private seek(position: number, whence: number): number | undefined {
		try {
			return seek!(this.fd, position, whence);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENXIO') return this.size;
			if (code === 'EINVAL' || code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'ESPIPE') {
				this.supported = false;
				return undefined;
			}

			throw error;
		}
	}

	/** The first data byte at or after `position`, or the size when only holes follow. */
	nextData(position: number): number {
		for (let at = position; at < this.size; ) {
			const segment = this.segmentAt(at);
			if (segment.data) return at;
			at = segment.end;
		}

		return this.size;
	}

	/**
	 * The data extents within [start, end) as offsets from `start`, in pairs (begin, end): empty when the range is all
	 * hole, one pair [0, end - start] when it is all data. `end` is clipped to the size.
	 */
	within(start: number, end: number): number[] {
		const extents: number[] = [];
		const stop = Math.min(end, this.size);
		for (let at = start; at < stop; ) {
			const segment = this.segmentAt(at);
			const segmentEnd = Math.min(segment.end, stop);
			if (segment.data) {
				// Adjacent data segments (found from two positions) join into one extent.
				if (extents.length > 0 && extents.at(-1) === at - start) extents[extents.length - 1] = segmentEnd - start;
				else extents.push(at - start, segmentEnd - start);
			}

			at = segmentEnd;
		}

		return extents;
	}
}
