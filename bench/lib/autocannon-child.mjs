// Runs autocannon (the fallback when wrk is absent) in its own process, so that it can be
// pinned to a core like wrk. Argument: JSON { url, cookie, connections, duration }.
// Prints autocannon's JSON result on stdout.
import autocannon from 'autocannon';

const { url, cookie, connections, duration } = JSON.parse(process.argv[2]);
const result = await autocannon({
  url,
  connections,
  duration,
  headers: cookie ? { cookie } : {},
});
process.stdout.write(JSON.stringify(result));
