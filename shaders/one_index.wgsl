// The entry point of the one-index kernels, appended to a source that defines `fn element(i: u32)` and a
// uniform `u` whose field `n` counts the indices. Each invocation takes PER indices WG apart (lanes stay on
// consecutive indices): on CPU drivers one index per invocation spent about half of an elementwise map's time
// on starting invocations and workgroups (PER = 8 there, Engine.indicesPerInvocation); GPUs take PER = 1.
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let first = (wid.x + wid.y * nwg.x) * ({{WG}}u * {{PER}}u) + lid;
  for (var j = 0u; j < {{PER}}u; j++) {
    let i = first + j * {{WG}}u;
    if (i >= u.n) { return; }
    element(i);
  }
}
