import { runQuizScenarios } from './quizzes.bench.js';
const r = await runQuizScenarios('postgresql://postgres@127.0.0.1:5432/postgres', { rounds: 1, only: process.argv[2] });
console.log(JSON.stringify(r, null, 1));
