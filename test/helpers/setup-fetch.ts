/**
 * Tests start and stop many servers on ports the OS hands out, and a port freed by one can be
 * given to the next. A kept-alive connection to the old one must never carry a request meant for
 * the new one (that showed up as "a request expected but not received" from a Pact mock server):
 * every `fetch` of the test suite opens its own connection.
 */
import { Agent, setGlobalDispatcher } from 'undici';

setGlobalDispatcher(new Agent({ pipelining: 0 }));
