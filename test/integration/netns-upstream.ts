/**
 * A scripted upstream (src/testing/upstream.ts) as a process of its own, for tests that need one
 * inside a network namespace: `ip netns exec NS node test/integration/netns-upstream.ts HOST PORT`.
 * example.com A is 93.184.215.14; every other name is NXDOMAIN. Prints `ready HOST:PORT` once
 * listening; SIGTERM closes it.
 */
import { rr } from '../../src/testing/rr.ts';
import { answerTo, startUpstream } from '../../src/testing/upstream.ts';
import { RRType } from '../../src/dns/types.ts';

const [host = '127.0.0.153', port = '53'] = process.argv.slice(2);
const upstream = await startUpstream((q) => {
  const question = q.questions[0]!;
  if (question.type === RRType.A && question.name.toLowerCase() === 'example.com.') {
    return answerTo(q, { answers: [rr('example.com. 300 IN A 93.184.215.14')] });
  }
  return answerTo(q, { rcode: 3, authorities: [rr('. 300 IN SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400')] });
}, Number(port), host);
process.stdout.write(`ready ${upstream.address}\n`);
process.once('SIGTERM', () => { void upstream.close().then(() => process.exit(0)); });
