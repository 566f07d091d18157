// `--import`ed by the app processes test/support/instances.ts starts. Like @swc-node/register/esm-register, but the
// loader is resolved from this repository rather than from the working folder (each instance runs in a folder of its
// own, so that nothing under `.data/` is shared between instances).
import { register } from 'node:module';

register('@swc-node/register/esm', import.meta.url);
