/**
 * A gateway process of the fan-out benchmark: the production entry, with the test probe preloaded
 * (it dies with the benchmark, and answers `{ type: 'sample' }` with its memory after a full GC).
 */
import '../test/support/childProbe';
import '../gateway/index';
