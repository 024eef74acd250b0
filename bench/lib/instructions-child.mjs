// One in-process case run under callgrind by bench/instructions.mjs: builds the cases of a built
// `dist/src`, then sends INSTR_N requests of case INSTR_CASE, going round its cookies.
// Env: INSTR_DIR, INSTR_CASE, INSTR_N, INSTR_SECRET, INSTR_USERS.
import { buildCases, call, sinkTotal } from './inproc-cases.mjs';

const { INSTR_DIR, INSTR_CASE, INSTR_SECRET } = process.env;
const n = Number(process.env.INSTR_N);
const cases = await buildCases(INSTR_DIR, INSTR_SECRET, Number(process.env.INSTR_USERS));
const chosen = cases[INSTR_CASE];
if (!chosen) throw new Error(`unknown case ${INSTR_CASE}`);
const [handler, cookies] = chosen;
for (let i = 0; i < n; i++) call(handler, cookies[i % cookies.length]);
// Every answer must have been a 200: a case that fails is not measured.
if (sinkTotal() !== 200 * n) throw new Error(`${INSTR_CASE}: not every request answered 200`);
