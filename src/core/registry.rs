//! Handle tables: every `SSL_CTX*`, `SSL*` and `SSL_SESSION*` given to C is an id in one of
//! these, never an address of ours, so a NULL, freed, double-freed or wrong-kind pointer is
//! found out by a lookup instead of being dereferenced.
//!
//! Ids come from one process-wide counter and are never reused. Each table is split into shards
//! behind read-write locks, so lookups from many threads do not contend on one lock. The
//! reference count C sees (`*_up_ref`, `*_free`) lives in the object (`Refs`); the entry leaves
//! the table when it reaches zero, and the object itself when the last Rust `Arc` goes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

const SHARDS: usize = 32;
/// Ids are spaced like aligned pointers and start high, far from small integers.
const ID_BASE: usize = 0x5e55_0000_0000;
const ID_STEP: usize = 16;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The C-visible reference count of an object, and its handle id.
#[derive(Debug)]
pub struct Refs {
    id: usize,
    count: AtomicUsize,
}

impl Refs {
    pub fn id(&self) -> usize {
        self.id
    }
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
}

/// An object that lives in a handle table.
pub trait Object: Send + Sync + Sized + 'static {
    /// The C type name, for error messages ("SSL", "SSL_CTX", "SSL_SESSION").
    const KIND: &'static str;
    fn refs(&self) -> &Refs;
    fn table() -> &'static Table<Self>;
}

/// Ids are unique integers we make ourselves, so a multiplicative hash suffices (SipHash showed
/// up in profiles of `SSL_read`/`SSL_write`; nothing here needs resistance to chosen keys).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Shard<T> = RwLock<HashMap<usize, Arc<T>, BuildHasherDefault<IdHasher>>>;

pub struct Table<T> {
    shards: [Shard<T>; SHARDS],
}

impl<T: Object> Table<T> {
    pub fn new() -> Self {
        Table {
            shards: std::array::from_fn(|_| RwLock::new(HashMap::default())),
        }
    }

    fn shard(&self, id: usize) -> &Shard<T> {
        &self.shards[(id / ID_STEP) % SHARDS]
    }

    /// Creates an object with a fresh id and a reference count of one.
    pub fn insert_with(&self, make: impl FnOnce(Refs) -> T) -> Arc<T> {
        let id = ID_BASE + NEXT.fetch_add(1, Ordering::Relaxed) * ID_STEP;
        let obj = Arc::new(make(Refs {
            id,
            count: AtomicUsize::new(1),
        }));
        self.shard(id)
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, obj.clone());
        obj
    }

    /// The live object with this id.
    pub fn get(&self, id: usize) -> Option<Arc<T>> {
        self.shard(id)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
    }

    pub fn contains(&self, id: usize) -> bool {
        self.shard(id)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&id)
    }
}

impl<T: Object> Default for Table<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// `*_up_ref`: one more C reference. The caller proved the object is live by holding it.
pub fn up_ref<T: Object>(obj: &T) {
    obj.refs().count.fetch_add(1, Ordering::AcqRel);
}

/// `*_free`: one C reference fewer; at zero the handle dies. Returns whether it died.
pub fn release<T: Object>(obj: &T) -> bool {
    let refs = obj.refs();
    let before = refs
        .count
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| c.checked_sub(1))
        .unwrap_or(0);
    if before != 1 {
        return false;
    }
    let removed = T::table()
        .shard(refs.id)
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&refs.id);
    // The object may own handles itself (an SSL its SSL_CTX and SESSION): drop it with no
    // shard lock held, so that their release can take other shard locks.
    drop(removed);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    struct Thing(Refs);
    impl Object for Thing {
        const KIND: &'static str = "THING";
        fn refs(&self) -> &Refs {
            &self.0
        }
        fn table() -> &'static Table<Self> {
            static T: OnceLock<Table<Thing>> = OnceLock::new();
            T.get_or_init(Table::new)
        }
    }

    #[test]
    fn ids_die_at_zero_and_are_never_reused() {
        let a = Thing::table().insert_with(Thing);
        let id = a.refs().id();
        up_ref(&*a);
        assert!(!release(&*a));
        assert!(Thing::table().get(id).is_some());
        assert!(release(&*a));
        assert!(Thing::table().get(id).is_none());
        assert!(!release(&*a), "a double free is refused");
        let b = Thing::table().insert_with(Thing);
        assert_ne!(b.refs().id(), id);
    }
}
