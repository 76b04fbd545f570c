// Kills registered process groups when this Node process exits, so no converter outlives the server.
// 'exit' handlers must be synchronous, and process.kill is. A SIGKILLed Node runs no handler at all:
// children that matter also ask the kernel to kill them when their parent dies (PR_SET_PDEATHSIG).

const groups = new Set<number>();
let installed = false;

/** Registers a process group leader; returns a function that unregisters it (call it on exit). */
export function killGroupOnExit(pid: number): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const g of groups) {
        try {
          process.kill(-g, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  groups.add(pid);
  return () => groups.delete(pid);
}
