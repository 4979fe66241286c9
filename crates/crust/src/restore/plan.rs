//! Everything a restore needs, read from the image directory and checked before a
//! single task is created: a broken or foreign image set fails here, cleanly.

use super::error::RestoreError;
use crust_images::pb::{
    CoreEntry, FdTypes, FdinfoEntry, FileEntry, FsEntry, InventoryEntry, MmEntry, PagemapEntry,
    PagemapHead, PstreeEntry, RegFileEntry, TaskCoreEntry, TaskKobjIdsEntry, ThreadCoreEntry,
    ThreadInfoX86,
};
use crust_images::{ImageDir, ImageKind};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;

/// The dumped state of one process, as read from its images.
pub struct TaskPlan {
    pub pid: u32,
    pub pstree: PstreeEntry,
    pub tc: TaskCoreEntry,
    pub thread_info: ThreadInfoX86,
    pub thread_core: Option<ThreadCoreEntry>,
    pub mm: MmEntry,
    pub pages_id: u32,
    pub pagemap: Vec<PagemapEntry>,
    pub fds: Vec<FdinfoEntry>,
    pub fs: FsEntry,
}

/// A task that was a zombie at dump time: it only has to exit again.
pub struct ZombiePlan {
    pub pstree: PstreeEntry,
    /// The wait status its parent will collect.
    pub exit_status: u32,
    pub comm: String,
}

pub struct Plan {
    pub dir: ImageDir,
    /// Live tasks, parents before children; the first is the root.
    pub tasks: Vec<TaskPlan>,
    pub zombies: Vec<ZombiePlan>,
    pub files: HashMap<u32, FileEntry>,
}

impl Plan {
    /// The regular file with `id`, or an error naming the image that lacks it.
    pub fn reg_file(&self, id: u32) -> Result<&RegFileEntry, RestoreError> {
        self.files
            .get(&id)
            .and_then(|f| f.reg.as_ref())
            .ok_or_else(|| self.bad(format!("files.img has no regular file with id {id}")))
    }

    pub fn bad(&self, why: String) -> RestoreError {
        RestoreError::BadImages {
            dir: self.dir.path().display().to_string(),
            why,
        }
    }
}

/// Reads and checks everything; `shell_job` says whether the tree may take over
/// crust's terminal (--shell-job).
pub fn load(dir: ImageDir, shell_job: bool) -> Result<Plan, RestoreError> {
    let bad = |why: String| RestoreError::BadImages {
        dir: dir.path().display().to_string(),
        why,
    };
    let inventory: InventoryEntry = dir.reader(ImageKind::Inventory)?.read_one()?;
    if inventory.img_version != crust_images::IMAGES_VERSION {
        return Err(bad(format!(
            "inventory.img has image version {}, crust reads version 2",
            inventory.img_version
        )));
    }
    let tree: Vec<PstreeEntry> = dir.reader(ImageKind::Pstree)?.read_all()?;
    if tree.is_empty() {
        return Err(bad("pstree.img lists no process".into()));
    }
    let pids: Vec<u32> = tree.iter().map(|e| e.pid).collect();
    if let Some(dup) = pids
        .iter()
        .enumerate()
        .find(|(i, p)| pids[..*i].contains(p))
    {
        return Err(bad(format!("pstree.img lists pid {} twice", dup.1)));
    }
    if pids.contains(&0) {
        return Err(bad("pstree.img lists pid 0".into()));
    }
    let files: HashMap<u32, FileEntry> = dir
        .reader(ImageKind::Files)?
        .read_all::<FileEntry>()?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let mut plan = Plan {
        tasks: Vec::new(),
        zombies: Vec::new(),
        dir,
        files,
    };
    for (i, pstree) in tree.into_iter().enumerate() {
        if i > 0 && !pids.contains(&pstree.ppid) {
            return Err(plan.bad(format!(
                "pstree.img: the parent {} of pid {} is not in the tree",
                pstree.ppid, pstree.pid
            )));
        }
        let core: CoreEntry = plan.dir.reader(ImageKind::Core(pstree.pid))?.read_one()?;
        let tc = core
            .tc
            .as_ref()
            .ok_or_else(|| plan.bad(format!("core-{}.img has no task core", pstree.pid)))?;
        if tc.task_state == crust_images::task_state::ZOMBIE {
            plan.zombies.push(ZombiePlan {
                comm: tc.comm.clone(),
                exit_status: tc.exit_code,
                pstree,
            });
        } else if i == 0 || plan.tasks.iter().any(|t| t.pid == pstree.ppid) {
            let task = load_task(&plan.dir, pstree, core)?;
            plan.tasks.push(task);
        } else {
            return Err(plan.bad(format!(
                "pstree.img lists pid {} before its parent",
                pstree.pid
            )));
        }
    }
    if plan.tasks.is_empty() {
        return Err(plan.bad("the root process of pstree.img is a zombie".into()));
    }
    for task in &plan.tasks {
        check_references(&plan, task, shell_job)?;
    }
    Ok(plan)
}

fn load_task(
    dir: &ImageDir,
    pstree: PstreeEntry,
    core: CoreEntry,
) -> Result<TaskPlan, RestoreError> {
    let bad = |why: String| RestoreError::BadImages {
        dir: dir.path().display().to_string(),
        why,
    };
    let pid = pstree.pid;
    if pstree.threads.len() != 1 {
        return Err(RestoreError::Unsupported {
            pid,
            what: format!("{} threads", pstree.threads.len()),
        });
    }
    let queues = core.tc.iter().filter_map(|tc| tc.signals_s.as_ref());
    let queues = queues.chain(core.thread_core.iter().filter_map(|t| t.signals_p.as_ref()));
    if queues
        .flat_map(|q| &q.signals)
        .any(|s| s.siginfo.len() != 128)
    {
        return Err(bad(format!(
            "core-{pid}.img holds a pending signal whose siginfo is not 128 bytes"
        )));
    }
    let CoreEntry {
        tc,
        thread_info,
        thread_core,
        ..
    } = core;
    let tc = tc.ok_or_else(|| bad(format!("core-{pid}.img has no task core")))?;
    let thread_info =
        thread_info.ok_or_else(|| bad(format!("core-{pid}.img has no x86_64 thread info")))?;
    let ids: TaskKobjIdsEntry = dir.reader(ImageKind::Ids(pid))?.read_one()?;
    let mm: MmEntry = dir.reader(ImageKind::Mm(pid))?.read_one()?;
    let mut pagemap_img = dir.reader(ImageKind::Pagemap(pid))?;
    let head: PagemapHead = pagemap_img.read_one()?;
    let pagemap: Vec<PagemapEntry> = pagemap_img.read_all()?;
    let pages_path = dir.pages_path(head.pages_id);
    let pages_len = std::fs::metadata(&pages_path)
        .map(|m| m.len())
        .map_err(|_| {
            bad(format!(
                "pagemap-{pid}.img refers to missing pages-{}.img",
                head.pages_id
            ))
        })?;
    let described: u64 = pagemap
        .iter()
        .map(|e| e.nr_pages as u64 * crust_kernel::PAGE_SIZE)
        .sum();
    if pages_len != described {
        return Err(bad(format!(
            "pages-{}.img holds {pages_len} bytes, pagemap-{pid}.img describes {described}",
            head.pages_id
        )));
    }
    super::validate::check_memory(&mm.vmas, &pagemap)
        .map_err(|why| bad(format!("mm-{pid}.img and pagemap-{pid}.img: {why}")))?;
    let fds: Vec<FdinfoEntry> = dir.reader(ImageKind::Fdinfo(ids.files_id))?.read_all()?;
    let fs: FsEntry = dir.reader(ImageKind::Fs(pid))?.read_one()?;
    Ok(TaskPlan {
        pid,
        pstree,
        tc,
        thread_info,
        thread_core,
        mm,
        pages_id: head.pages_id,
        pagemap,
        fds,
        fs,
    })
}

/// Every file id the task refers to exists, and every regular file is still the
/// one that was dumped.
fn check_references(plan: &Plan, task: &TaskPlan, shell_job: bool) -> Result<(), RestoreError> {
    for fd in &task.fds {
        let file = plan
            .files
            .get(&fd.id)
            .ok_or_else(|| plan.bad(format!("fd {} refers to missing file id {}", fd.fd, fd.id)))?;
        if file.r#type == FdTypes::Reg as i32 {
            check_unchanged(plan.reg_file(fd.id)?)?;
        } else if file.r#type == FdTypes::Tty as i32 {
            if !shell_job {
                return Err(RestoreError::NeedsShellJob {
                    pid: task.pid,
                    fd: fd.fd,
                });
            }
        } else {
            return Err(RestoreError::Unsupported {
                pid: task.pid,
                what: format!("fd {} of type {}", fd.fd, file.r#type),
            });
        }
    }
    let mut ids = vec![task.fs.cwd_id, task.fs.root_id, task.mm.exe_file_id];
    ids.extend(
        task.mm
            .vmas
            .iter()
            .filter(|v| {
                v.status & crust_images::vma::VMA_FILE_PRIVATE != 0
                    || v.status & crust_images::vma::VMA_FILE_SHARED != 0
            })
            .map(|v| v.shmid as u32),
    );
    for id in ids {
        check_unchanged(plan.reg_file(id)?)?;
    }
    Ok(())
}

/// Compares a file on disk with what the dump saw: the process would otherwise come
/// back with different bytes behind its mappings or offsets.
pub fn check_unchanged(reg: &RegFileEntry) -> Result<(), RestoreError> {
    let meta = std::fs::metadata(&reg.name).map_err(|source| RestoreError::FileMissing {
        path: reg.name.clone(),
        source,
    })?;
    let changed = |what: String| {
        Err(RestoreError::FileChanged {
            path: reg.name.clone(),
            what,
        })
    };
    let is_regular = meta.file_type().is_file();
    if let Some(size) = reg.size {
        if is_regular && size != meta.size() {
            return changed(format!("size was {size}, is {}", meta.size()));
        }
    }
    if let Some(inode) = reg.crust_inode {
        if inode != meta.ino() {
            return changed(format!(
                "inode was {inode}, is {} (replaced by another file)",
                meta.ino()
            ));
        }
    }
    if let Some(mtime) = reg.crust_mtime_ns {
        let now = crate::file_stamp::mtime_ns(&meta);
        if is_regular && mtime != now {
            let secs = |ns: u64| format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
            return changed(format!(
                "modification time was {} s, is {} s (since the epoch)",
                secs(mtime),
                secs(now)
            ));
        }
    }
    Ok(())
}
