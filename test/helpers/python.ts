// The Python that has numpy, for the tests that compare against it. `python3` on PATH may be a
// pyenv or venv interpreter without numpy while Debian's python3-numpy (what .ci/run installs)
// imports only in /usr/bin/python3, so try $NULLSPACE_PYTHON, then python3, then /usr/bin/python3.
import { spawnSync } from 'node:child_process';

const candidates = [process.env.NULLSPACE_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);

/** The first interpreter that imports numpy, or undefined (the numpy tests then skip, naming why). */
export const PYTHON: string | undefined = candidates.find((p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0);

export const hasNumpy = PYTHON !== undefined;

/** The skip reason for tap's { skip } option: false when numpy is there. */
export const noNumpy: false | string = hasNumpy ? false : `no Python with numpy (tried ${candidates.join(', ')}; install python3-numpy)`;
