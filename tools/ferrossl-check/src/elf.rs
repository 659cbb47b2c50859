//! What the dynamic loader reads from one ELF object: its DT_NEEDED libraries, search paths,
//! undefined dynamic symbols with their GNU version requirement, and the version nodes it
//! requires of each library (`.gnu.version_r`). Nothing is executed.

use object::elf::{
    FileHeader64, DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME, ELFCLASS64, EM_X86_64, SHN_UNDEF,
    SHT_DYNSYM, STB_WEAK, VER_FLG_WEAK,
};
use object::read::elf::{Dyn, FileHeader, Sym};
use object::Endianness;

/// One undefined dynamic symbol.
pub struct Import {
    pub name: String,
    /// The library (`vn_file`) and version node it must be defined in, when versioned.
    pub version: Option<(String, String)>,
    /// A weak reference: the loader accepts it unresolved (it reads as NULL).
    pub weak: bool,
}

/// One version node required of a library (an entry of `.gnu.version_r`).
pub struct Need {
    pub file: String,
    pub node: String,
    /// `VER_FLG_WEAK`: the loader only warns when the node is missing.
    pub weak: bool,
}

/// The loader's view of one object.
#[derive(Default)]
pub struct Object {
    pub soname: Option<String>,
    pub needed: Vec<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub imports: Vec<Import>,
    pub needs: Vec<Need>,
}

/// Whether `data` starts like a 64-bit x86-64 ELF file (what the loader accepts for a library
/// of an x86-64 program; it skips others on its search path).
pub fn is_x86_64(data: &[u8]) -> bool {
    data.len() >= 20
        && data.starts_with(b"\x7fELF")
        && data[4] == ELFCLASS64
        && data[5] == 1
        && u16::from_le_bytes([data[18], data[19]]) == EM_X86_64
}

/// Parses an x86-64 ELF object; an error says why it is not one.
pub fn parse(data: &[u8]) -> Result<Object, String> {
    if !data.starts_with(b"\x7fELF") {
        return Err("not an ELF file".into());
    }
    if !is_x86_64(data) {
        return Err("not an x86-64 (64-bit, little-endian) ELF file".into());
    }
    parse_elf(data).map_err(|e| format!("malformed ELF file: {e}"))
}

fn parse_elf(data: &[u8]) -> object::read::Result<Object> {
    let header = FileHeader64::<Endianness>::parse(data)?;
    let endian = header.endian()?;
    let sections = header.sections(endian, data)?;
    let mut obj = Object::default();

    if let Some((dynamic, link)) = sections.dynamic(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        for d in dynamic {
            let Some(tag) = d.tag32(endian) else { continue };
            if ![DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH].contains(&tag) {
                continue;
            }
            let value = text(d.string(endian, strings)?);
            match tag {
                DT_NEEDED => obj.needed.push(value),
                DT_SONAME => obj.soname = Some(value),
                DT_RPATH => obj.rpath.extend(value.split(':').map(String::from)),
                _ => obj.runpath.extend(value.split(':').map(String::from)),
            }
        }
    }

    let symbols = sections.symbols(endian, data, SHT_DYNSYM)?;
    let versions = sections.versions(endian, data)?;
    for (index, sym) in symbols.enumerate() {
        if index.0 == 0 || sym.st_shndx(endian) != SHN_UNDEF {
            continue;
        }
        let name = text(sym.name(endian, symbols.strings())?);
        if name.is_empty() {
            continue;
        }
        let mut version = None;
        if let Some(v) = &versions {
            if let Some(v) = v.version(v.version_index(endian, index))? {
                if let Some(file) = v.file() {
                    version = Some((text(file), text(v.name())));
                }
            }
        }
        obj.imports.push(Import {
            name,
            version,
            weak: sym.st_bind() == STB_WEAK,
        });
    }

    if let Some((mut needs, link)) = sections.gnu_verneed(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        while let Some((need, mut aux)) = needs.next()? {
            let file = text(need.file(endian, strings)?);
            while let Some(a) = aux.next()? {
                obj.needs.push(Need {
                    file: file.clone(),
                    node: text(a.name(endian, strings)?),
                    weak: a.vna_flags.get(endian) & VER_FLG_WEAK != 0,
                });
            }
        }
    }
    Ok(obj)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
