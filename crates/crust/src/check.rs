//! `crust check`: does the running kernel have what crust needs?

use std::io::Write;

use anyhow::bail;
use crust_kernel::features::{self, Feature};

/// Runs every probe, or only `feature` (`list` prints the known names), and
/// reports on stdout. Returns the exit code: 0 when every required feature
/// works (with a feature: when it works), 1 otherwise. An unknown feature
/// name is an error listing the known ones.
pub fn run(feature: Option<&str>) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    run_to(&mut out, features::all(), feature)
}

/// `run`, writing to `out` and probing `all`.
fn run_to(out: &mut impl Write, all: &[Feature], feature: Option<&str>) -> anyhow::Result<i32> {
    match feature {
        Some("list") => {
            for f in all {
                let kind = if f.required { "required" } else { "optional" };
                writeln!(out, "{:<18} {kind}: {}", f.name, f.description)?;
            }
            Ok(0)
        }
        Some(name) => {
            let wanted = name.replace('_', "-");
            let Some(f) = all.iter().find(|f| f.name == wanted) else {
                let known: Vec<&str> = all.iter().map(|f| f.name).collect();
                bail!(
                    "unknown feature `{name}`; the known ones are: {}",
                    known.join(", ")
                );
            };
            match (f.probe)() {
                Ok(detail) => {
                    ::log::info!("{}: {detail}", f.name);
                    writeln!(out, "{} is supported", f.name)?;
                    Ok(0)
                }
                Err(why) => {
                    writeln!(out, "{} is not supported: {why}", f.name)?;
                    Ok(1)
                }
            }
        }
        None => {
            let mut missing_required = Vec::new();
            let mut missing_optional = Vec::new();
            for f in all {
                match (f.probe)() {
                    Ok(detail) => writeln!(out, "{}: ok ({detail})", f.name)?,
                    Err(why) if f.required => {
                        writeln!(out, "{}: MISSING — {why}", f.name)?;
                        missing_required.push(f.name);
                    }
                    Err(why) => {
                        writeln!(out, "{}: not available (optional) — {why}", f.name)?;
                        missing_optional.push(f.name);
                    }
                }
            }
            if !missing_required.is_empty() {
                writeln!(
                    out,
                    "Does not look good: crust cannot work without {}.",
                    missing_required.join(", ")
                )?;
                return Ok(1);
            }
            if missing_optional.is_empty() {
                writeln!(out, "Looks good.")?;
            } else {
                writeln!(
                    out,
                    "Looks good. (Optional features not available: {}.)",
                    missing_optional.join(", ")
                )?;
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn works() -> features::ProbeResult {
        Ok("fine".into())
    }
    fn broken() -> features::ProbeResult {
        Err("gone; upgrade".into())
    }
    fn feature(
        name: &'static str,
        required: bool,
        probe: fn() -> features::ProbeResult,
    ) -> Feature {
        Feature {
            name,
            required,
            description: "test",
            probe,
        }
    }

    fn report(all: &[Feature], feature: Option<&str>) -> (i32, String) {
        let mut out = Vec::new();
        let code = run_to(&mut out, all, feature).unwrap();
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn all_good() {
        let all = [feature("a-b", true, works), feature("c", false, works)];
        let (code, text) = report(&all, None);
        assert_eq!(code, 0);
        assert_eq!(text, "a-b: ok (fine)\nc: ok (fine)\nLooks good.\n");
    }

    #[test]
    fn optional_missing_still_passes() {
        let all = [feature("a", true, works), feature("c", false, broken)];
        let (code, text) = report(&all, None);
        assert_eq!(code, 0);
        assert!(
            text.contains("c: not available (optional) — gone; upgrade\n"),
            "{text}"
        );
        assert!(
            text.contains("Looks good. (Optional features not available: c.)"),
            "{text}"
        );
    }

    #[test]
    fn required_missing_fails() {
        let all = [feature("a", true, broken), feature("b", true, works)];
        let (code, text) = report(&all, None);
        assert_eq!(code, 1);
        assert!(
            text.starts_with("a: MISSING — gone; upgrade\nb: ok (fine)\n"),
            "{text}"
        );
        assert!(
            text.contains("Does not look good: crust cannot work without a."),
            "{text}"
        );
        assert!(!text.contains("Looks good."), "{text}");
    }

    #[test]
    fn single_feature() {
        let all = [feature("a-b", true, works), feature("c", false, broken)];
        assert_eq!(report(&all, Some("a-b")), (0, "a-b is supported\n".into()));
        assert_eq!(report(&all, Some("a_b")), (0, "a-b is supported\n".into()));
        assert_eq!(
            report(&all, Some("c")),
            (1, "c is not supported: gone; upgrade\n".into())
        );
        let e = run_to(&mut Vec::new(), &all, Some("zzz")).unwrap_err();
        let e = format!("{e:#}");
        assert!(
            e.contains("unknown feature `zzz`") && e.contains("a-b, c"),
            "{e}"
        );
    }

    #[test]
    fn list() {
        let all = [feature("a", true, broken), feature("c", false, broken)];
        let (code, text) = report(&all, Some("list"));
        assert_eq!(code, 0);
        assert!(text.contains("a ") && text.contains("required") && text.contains("optional"));
    }

    #[test]
    fn real_probes_run() {
        let mut out = Vec::new();
        let code = run_to(&mut out, features::all(), None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(code == 0 || code == 1);
        for f in features::all() {
            assert!(text.contains(&format!("{}: ", f.name)), "{text}");
        }
    }
}
