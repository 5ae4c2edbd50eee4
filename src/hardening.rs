//! What kvtui asks of the OS before it holds a secret: no core dumps, and no ptrace or
//! `/proc/PID/mem` access by other processes of the same user. A crash (in C code under aws-lc or
//! SQLite, say) on a shared jump box must not leave the secrets in memory on disk in a core file.

/// Sets `RLIMIT_CORE` to 0 and marks the process not dumpable (`PR_SET_DUMPABLE` 0). Best
/// effort: a kernel that refuses leaves kvtui working, as it was before.
pub fn no_core_dumps() {
    use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = setrlimit(Resource::Core, none);
    let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
}
