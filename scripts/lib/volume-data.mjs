// Deterministic test volumes for benchmarks: 16 KiB blocks, one in three random, the rest English-like text (or log lines).
import {openSync, writeSync, closeSync} from 'node:fs';
import {randomBytes} from 'node:crypto';

const words = `the of and to in is was that for on with as by at from his her it an be this which or are had not but
have were they their one all we been has when there who more can no if out so said what up its about into than them
only other new some could time these two may then do first any my now such like our over man me even most made after
also did many before must through back years where much your way well down should because each just those people how
too little state good very make world still own see men work long get here between both life being under never day
same another know while last might us great old year off come since against go came right used take three himself
few house use during without again place around however home small found thought went say part once general high
upon school every don does got united left number course war until always away something fact though water less
public put think almost hand enough far took head yet government system better set told nothing night end why called
didn eyes find going look asked later knew point next program city business give group toward young days let room
president side social given present several order national possible rather second face per among form important
often things looked early white case john become large big need four within felt along children saw best church ever
least power development light thing seemed family interest want members mind country area others done turned
although open god service certain kind problem began different door thus help sense means whole matter perhaps
itself york times law human line above name example action company hands local show whether five history gave today
either act feet across taken past quite anything seen having death week experience body word half really field am
car words already themselves information tell together college shall money period held keep sure probably free seems
real behind cannot miss political air question making office brought whose special major heard problems federal
became study ago moment available known result street economic boy position reason change south board individual
job society areas west close turn love community true court force full seem am policy` .split(/\s+/);

/** A small fast PRNG (xorshift32) so the same seed gives the same volume on every machine. */
export function prng(seed) {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state >>>= 0;
		state ^= state >>> 17;
		state ^= state << 5;
		state >>>= 0;
		return state;
	};
}

/** Fills `block` with English-like text. */
export function fillText(block, next) {
	let offset = 0;
	while (offset < block.length) {
		const word = words[next() % words.length];
		offset += block.write(next() % 13 === 0 ? `${word}.\n` : `${word} `, offset, 'latin1');
	}
}

const methods = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const paths = ['/v1/items', '/v1/orders', '/v1/users', '/v1/search', '/healthz', '/v1/carts', '/v1/payments'];
const levels = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'WARN'];

/** Fills `block` with service log lines: timestamps, levels, request fields; repetitive, so zstd goes through it fast. */
export function fillLogs(block, next) {
	let offset = 0;
	let millis = Date.UTC(2026, 11, 6) + (next() % 86_400_000);
	while (offset < block.length) {
		millis += next() % 40;
		const status = next() % 20 === 0 ? 500 : next() % 10 === 0 ? 404 : 200;
		const line = `${new Date(millis).toISOString()} ${levels[next() % levels.length]} http ${methods[next() % methods.length]} ${paths[next() % paths.length]}/${next() % 1000} status=${status} ms=${next() % 100}\n`;
		offset += block.write(line, offset, 'latin1');
	}
}

/**
 * The kinds of data a volume's non-random blocks hold: `text` is English-like (zstd -1 is slow on it), `logs` service
 * log lines (zstd -1 goes through them faster and shrinks them 5.7x against 2.6x: the backup's own costs show more).
 */
export const dataKinds = {text: fillText, logs: fillLogs};

const pools = new Map();
/** 8 MiB of each kind that blocks are cut from at random offsets: every block differs, and generating stays fast. */
function textBlock(view, next, kind = 'text') {
	let pool = pools.get(kind);
	if (!pool) {
		pool = Buffer.alloc(8 * 1024 * 1024);
		dataKinds[kind](pool, prng(7));
		pools.set(kind, pool);
	}

	const start = next() % (pool.length - view.length);
	pool.copy(view, 0, start, start + view.length);
}

/** Fills `chunk` (whole 16 KiB blocks) as writeVolume does: one block in three random, the rest of `kind`. */
export function fillBlocks(chunk, next, kind = 'text') {
	const blockSize = 16 * 1024;
	const random = randomBytes(chunk.length);
	for (let block = 0; block * blockSize < chunk.length; block++) {
		const view = chunk.subarray(block * blockSize, (block + 1) * blockSize);
		if (next() % 3 === 0) random.copy(view, 0, block * blockSize, (block + 1) * blockSize);
		else textBlock(view, next, kind);
	}
}

/** Writes a volume of `bytes` made of 16 KiB blocks: one in three random, the rest text (or log lines: `kind`). */
export function writeVolume(path, bytes, seed = 1, kind = 'text') {
	const next = prng(seed);
	const blockSize = 16 * 1024;
	const chunkBlocks = 256;
	const chunk = Buffer.alloc(blockSize * chunkBlocks);
	const fd = openSync(path, 'w');
	try {
		for (let done = 0; done < bytes; done += chunk.length) {
			fillBlocks(chunk, next, kind);
			writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
		}
	} finally {
		closeSync(fd);
	}
}

/**
 * Rewrites `share` of the file's 16 KiB blocks at random places with new random or text (or log: `kind`) data; returns
 * their indices. `blockIndexes` (optional) lists the blocks to choose from (a sparse file's data blocks).
 */
export function churnVolume(path, bytes, share, seed = 2, kind = 'text', blockIndexes = undefined) {
	const next = prng(seed);
	const blockSize = 16 * 1024;
	const blocks = blockIndexes ? blockIndexes.length : Math.floor(bytes / blockSize);
	const target = Math.round(blocks * share);
	const chosen = new Set();
	while (chosen.size < target) chosen.add(blockIndexes ? blockIndexes[next() % blocks] : next() % blocks);
	const block = Buffer.alloc(blockSize);
	const fd = openSync(path, 'r+');
	try {
		for (const index of chosen) {
			if (next() % 3 === 0) randomBytes(blockSize).copy(block);
			else dataKinds[kind](block, next);
			writeSync(fd, block, 0, blockSize, index * blockSize);
		}
	} finally {
		closeSync(fd);
	}

	return [...chosen];
}
