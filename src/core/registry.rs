//! Handle tables: every `SSL_CTX*`, `SSL*` and `SSL_SESSION*` given to C is an id in one of
//! these, never an address of ours, so a NULL, freed, double-freed or wrong-kind pointer is
//! found out by a lookup instead of being dereferenced.
//!
//! A table is a slab: an id names a slot, the kind of table and the slot's generation, so a
//! lookup is an index and one lock-free load (`arc_swap`), and an id whose slot has since been
//! reused (a freed handle) does not match the object there, which carries its own id. Freed
//! slots are reused first in, first out, each with its generation advanced, so an id comes back
//! only after a million reuses of its slot. The reference count C sees (`*_up_ref`, `*_free`)
//! lives in the object (`Refs`); the entry leaves the table when it reaches zero, and the object
//! itself when the last Rust `Arc` goes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use arc_swap::ArcSwapOption;

/// Ids look like aligned user-space pointers (bit 46 set, below 2^47): `kind` in bits 44-45,
/// the slot's generation in bits 24-43, the slot in bits 4-23.
const ID_BASE: usize = 1 << 46;
const SLOT_BITS: u32 = 20;
const GEN_BITS: u32 = 20;
const CHUNK: usize = 1024;
const CHUNKS: usize = (1 << SLOT_BITS) / CHUNK;

fn encode(kind: usize, slot: usize, generation: u32) -> usize {
    ID_BASE | (kind & 3) << 44 | (generation as usize & ((1 << GEN_BITS) - 1)) << 24 | slot << 4
}

/// (kind, slot) of something that may be an id.
fn decode(id: usize) -> Option<(usize, usize)> {
    if id & !((1 << 47) - 1) != 0 || id & ID_BASE == 0 || id & 0xf != 0 {
        return None;
    }
    Some(((id >> 44) & 3, (id >> 4) & ((1 << SLOT_BITS) - 1)))
}

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
    /// Which table (0-3): part of every id, so that a handle of another kind never matches.
    const TAG: usize;
    fn refs(&self) -> &Refs;
    fn table() -> &'static Table<Self>;
}

struct Slot<T> {
    obj: ArcSwapOption<T>,
    generation: AtomicU32,
}

impl<T> Slot<T> {
    fn empty() -> Self {
        Slot {
            obj: ArcSwapOption::empty(),
            generation: AtomicU32::new(0),
        }
    }
}

pub struct Table<T> {
    chunks: [OnceLock<Box<[Slot<T>]>>; CHUNKS],
    /// Slots never used yet start here.
    next: AtomicUsize,
    /// Freed slots, oldest first.
    free: Mutex<VecDeque<usize>>,
}

impl<T: Object> Table<T> {
    pub fn new() -> Self {
        Table {
            chunks: std::array::from_fn(|_| OnceLock::new()),
            next: AtomicUsize::new(0),
            free: Mutex::new(VecDeque::new()),
        }
    }

    fn slot(&self, index: usize) -> Option<&Slot<T>> {
        self.chunks.get(index / CHUNK)?.get()?.get(index % CHUNK)
    }

    fn slot_or_make(&self, index: usize) -> &Slot<T> {
        let chunk =
            self.chunks[index / CHUNK].get_or_init(|| (0..CHUNK).map(|_| Slot::empty()).collect());
        &chunk[index % CHUNK]
    }

    /// Creates an object with a fresh id and a reference count of one.
    pub fn insert_with(&self, make: impl FnOnce(Refs) -> T) -> Arc<T> {
        let reused = self
            .free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        let index = reused.unwrap_or_else(|| self.next.fetch_add(1, Ordering::Relaxed));
        assert!(
            index < 1 << SLOT_BITS,
            "{}: more than 2^20 live handles",
            T::KIND
        );
        let slot = self.slot_or_make(index);
        let generation = slot
            .generation
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
        let obj = Arc::new(make(Refs {
            id: encode(T::TAG, index, generation),
            count: AtomicUsize::new(1),
        }));
        slot.obj.store(Some(obj.clone()));
        obj
    }

    /// The live object with this id.
    pub fn get(&self, id: usize) -> Option<Arc<T>> {
        let (kind, index) = decode(id)?;
        if kind != T::TAG {
            return None;
        }
        self.slot(index)?
            .obj
            .load_full()
            .filter(|o| o.refs().id == id)
    }

    pub fn contains(&self, id: usize) -> bool {
        self.get(id).is_some()
    }

    /// Takes the object with this id out of its slot, which becomes free.
    fn remove(&self, id: usize) -> Option<Arc<T>> {
        let (_, index) = decode(id)?;
        let slot = self.slot(index)?;
        // Only the release that took the count to zero gets here, and the slot is reused only
        // after this: what it holds is this object.
        slot.obj.load_full().filter(|o| o.refs().id == id)?;
        let removed = slot.obj.swap(None)?;
        self.free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(index);
        Some(removed)
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
    // The object may own handles itself (an SSL its SSL_CTX and SESSION): it is dropped here,
    // with no lock of the table held, so that their release can use the tables.
    drop(T::table().remove(refs.id));
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    struct Thing(Refs);
    impl Object for Thing {
        const KIND: &'static str = "THING";
        const TAG: usize = 3;
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
        assert!(
            Thing::table().get(id).is_none(),
            "a reused slot does not answer to the old id"
        );
        assert!(Thing::table().get(b.refs().id()).is_some());
    }

    #[test]
    fn other_values_are_not_ids() {
        let a = Thing::table().insert_with(Thing);
        let id = a.refs().id();
        for bogus in [0, 1, id + 8, id | 1 << 47, id ^ 1 << 44, usize::MAX & !0xf] {
            assert!(Thing::table().get(bogus).is_none(), "{bogus:#x}");
        }
    }
}
