/** Real loop devices and mounts for tests that run as root: attach, format, mount, and undo all of it afterwards. */
import {execFileSync} from 'node:child_process';
import {mkdirSync} from 'node:fs';

function has(command: string): boolean {
	try {
		execFileSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

/** Why loop-device tests cannot run here, or undefined when they can. */
export function loopDevicesUnavailable(commands: readonly string[] = ['losetup']): string | undefined {
	if (process.getuid?.() !== 0) return 'needs root (loop devices and mounts)';
	const missing = commands.filter(command => !has(command));
	if (missing.length > 0) return `needs ${missing.join(', ')} (apt-get install util-linux e2fsprogs)`;
	try {
		execFileSync('losetup', ['-f'], {stdio: 'ignore'});
	} catch {
		return 'no free loop device (losetup -f failed)';
	}

	return undefined;
}

/** Loop devices and mounts made by one test file; `cleanup` undoes them in reverse order (call it in afterAll). */
export class LoopDevices {
	private readonly undo: Array<() => void> = [];

	/** Attaches a file as a loop device; returns /dev/loopN. */
	attach(file: string): string {
		const device = execFileSync('losetup', ['-f', '--show', file], {encoding: 'utf8'}).trim();
		this.undo.push(() => execFileSync('losetup', ['-d', device], {stdio: 'ignore'}));
		return device;
	}

	/** Makes an ext4 filesystem on a device and mounts it at `mountPoint`. */
	mountExt4(device: string, mountPoint: string): void {
		// Initialised up front, so the mounted filesystem is idle unless a test writes to it.
		execFileSync('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', device], {stdio: 'ignore'});
		mkdirSync(mountPoint, {recursive: true});
		execFileSync('mount', [device, mountPoint], {stdio: 'ignore'});
		this.undo.push(() => {
			// A test that failed midway may have left it frozen: thaw first, or the unmount would hang.
			try {
				execFileSync('fsfreeze', ['-u', mountPoint], {stdio: 'ignore'});
			} catch {}

			execFileSync('umount', [mountPoint], {stdio: 'ignore'});
		});
	}

	/** Mounts a tmpfs of `megabytes` at `mountPoint`. */
	mountTmpfs(mountPoint: string, megabytes: number): void {
		mkdirSync(mountPoint, {recursive: true});
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', mountPoint], {stdio: 'ignore'});
		this.undo.push(() => execFileSync('umount', [mountPoint], {stdio: 'ignore'}));
	}

	cleanup(): void {
		for (const step of this.undo.splice(0).reverse()) {
			try {
				step();
			} catch {}
		}
	}
}
