/**
 * vitest globalSetup: after the whole run, in vitest's main process (which
 * outlives any worker that crashed or was killed), removes every private
 * dockerd of test/containers/docker.ts whose owning worker is gone, with its
 * containers, containerd, mounts, cgroups and directory. A worker that ends
 * normally has already stopped its own (afterAll, or its exit handler).
 */
import { sweepStaleEngines } from './docker.js';

export default function setup(): () => void {
  return () => {
    for (const dir of sweepStaleEngines()) console.log(`docker: removed an engine left behind: ${dir}`);
  };
}
