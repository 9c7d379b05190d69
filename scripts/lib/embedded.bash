# Shared by scripts/embedded-check and scripts/build-unikernel: which modules are core, what
# each imports (read from Package.swift's coreTargets, so there is no second list to keep in
# step), and compiling a set of modules as Embedded Swift for bare-metal aarch64 in dependency
# order, as many at a time as there are cores. Source it from the repository's root.

embedded_target=aarch64-none-none-elf
# The unikernels' flags, which the check uses too so that the unikernel build can reuse its
# objects: the bare-metal support headers, and strict alignment (until loam_main has turned
# the MMU on, every access is a Device access, which must be aligned to its size).
embedded_swift_flags=(-I Sources/BareMetalSupport -Xcc -mstrict-align)
# Where objects ($out/<module>/) and module interfaces ($modules_dir) go; set out before use.
out=
modules_dir=

# Fills core_modules (in Package.swift's order) and dependencies[module] ("A B C").
declare -A dependencies=()
core_modules=()
read_core_modules() {
  local module imports
  while IFS=: read -r module imports; do
    [ -n "$module" ] || continue
    core_modules+=("$module")
    dependencies[$module]=${imports//,/ }
  done < <(sed -n '/let coreTargets/,/^]/p' Package.swift | tr -d '\n' | sed 's/\.target(/\n/g' |
    sed -n '2,$p' | sed -E 's/.*name: "([A-Za-z0-9]+)"(.*dependencies: \[([^]]*)\])?.*/\1:\3/' |
    tr -d ' "'; echo)
  [ "${#core_modules[@]}" -gt 0 ] || {
    echo "$(basename "$0"): found no core modules in Package.swift's coreTargets" >&2
    exit 1
  }
}

# Prints `module` and every module it imports, dependencies first.
with_dependencies() {
  local -A seen=()
  local order=()
  visit() {
    local module=$1 dependency
    [ -n "${seen[$module]:-}" ] && return
    seen[$module]=1
    for dependency in ${dependencies[$module]:-}; do visit "$dependency"; done
    order+=("$module")
  }
  local module
  for module in "$@"; do visit "$module"; done
  echo "${order[@]}"
}

# Set to 1 to skip a module whose object is newer than its sources, the modules it imports
# and the flags it was built with (build-unikernel; embedded-check always compiles).
embedded_reuse_up_to_date=0

# Whether $out/$1/$1.o is newer than its sources ($2...) and the interfaces of the modules it
# imports (dependencies[$1], in $modules_dir), and was compiled with today's flags.
is_up_to_date() {
  local module=$1 object=$out/$1/$1.o input dependency
  shift
  [ -f "$object" ] && [ "$(cat "$out/$module/flags" 2>/dev/null)" = "${embedded_swift_flags[*]}" ] \
    || return 1
  for input in "$@"; do [ "$input" -nt "$object" ] && return 1; done
  for dependency in ${dependencies[$module]:-}; do
    [ "$modules_dir/$dependency.swiftmodule" -nt "$object" ] && return 1
  done
  return 0
}

# Compiles one module's Swift files ($2...) into $out/$1/$1.o and $out/modules/$1.swiftmodule.
# embedded_swift_flags (an array) adds flags.
compile_embedded_module() {
  local module=$1
  shift
  if [ "$embedded_reuse_up_to_date" = 1 ] && is_up_to_date "$module" "$@"; then return 0; fi
  mkdir -p "$out/$module" "$modules_dir"
  printf '%s' "${embedded_swift_flags[*]}" >"$out/$module/flags"
  swiftc -enable-experimental-feature Embedded -wmo -parse-as-library \
    -target "$embedded_target" -Osize -Xfrontend -disable-stack-protector \
    -Xfrontend -function-sections "${embedded_swift_flags[@]}" \
    -module-name "$module" -I "$modules_dir" \
    -emit-module -emit-module-path "$modules_dir/$module.swiftmodule" \
    -c "$@" -o "$out/$module/$module.o" >"$out/$module/log" 2>&1 || return
  # The compiler leaves an unchanged object as it was, mtime included: mark it compiled now, or
  # its interface, rewritten, would look newer and the modules after it would never be reused.
  touch "$out/$module/$module.o"
}

# Stops a compile and the compiler processes under it.
stop_tree() {
  local child
  for child in $(pgrep -P "$1"); do stop_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

# Compiles the core modules named in $@ (each after the modules it imports) into $out.
# (modules_dir defaults to $out/modules.)
# Prints a line a module; on a failure prints the compiler's output and exits.
compile_core_modules() {
  local parallel module dependency ready status finished size
  modules_dir=${modules_dir:-$out/modules}
  parallel=$(nproc)
  local -A running=() compiled=() wanted=()
  for module in "$@"; do wanted[$module]=1; done
  local pending=("$@") waiting
  while [ "${#pending[@]}" -gt 0 ] || [ "${#running[@]}" -gt 0 ]; do
    waiting=()
    for module in "${pending[@]}"; do
      ready=1
      for dependency in ${dependencies[$module]}; do
        [ -z "${wanted[$dependency]:-}" ] || [ -n "${compiled[$dependency]:-}" ] || ready=0
      done
      if [ "$ready" = 1 ] && [ "${#running[@]}" -lt "$parallel" ]; then
        compile_embedded_module "$module" "Sources/$module"/*.swift &
        running[$!]=$module
      else
        waiting+=("$module")
      fi
    done
    pending=("${waiting[@]}")
    if [ "${#running[@]}" -eq 0 ]; then
      echo "$(basename "$0"): no order compiles ${pending[*]}: check their dependencies" >&2
      exit 1
    fi
    status=0
    wait -n -p finished || status=$?
    module=${running[$finished]}
    unset "running[$finished]"
    if [ "$status" != 0 ]; then
      cat "$out/$module/log" >&2
      echo "$(basename "$0"): $module does not compile as Embedded Swift for $embedded_target (see above)." >&2
      for finished in "${!running[@]}"; do stop_tree "$finished"; done
      exit 1
    fi
    compiled[$module]=1
    size=$(stat -c %s "$out/$module/$module.o")
    printf '%s: %-17s ok (%s, object %d bytes)\n' "$(basename "$0")" "$module" \
      "$embedded_target" "$size"
  done
}
