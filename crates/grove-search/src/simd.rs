//! Compiling hot loops for the CPU at hand: [`dispatch!`] builds a function
//! three times (AVX-512, AVX2+FMA, baseline) and picks one at run time, so the
//! element-wise loops vectorise without building the whole binary for one CPU.

/// Runs `$body` compiled for AVX-512 or AVX2+FMA when the CPU has them (so
/// the element-wise loops vectorise), else for the baseline target.
macro_rules! dispatch {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn generic($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                unsafe fn v4($($arg: $ty),*) $(-> $ret)? { generic($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn v3($($arg: $ty),*) $(-> $ret)? { generic($($arg),*) }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
                {
                    // SAFETY: the features were detected at run time.
                    return unsafe { v4($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the features were detected at run time.
                    return unsafe { v3($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
}

pub(crate) use dispatch;

/// Dot product of two equally long slices, meant to be inlined into a
/// [`dispatch!`]ed loop (calling a dispatched function per dot product costs
/// more than the product). Four independent 16-lane accumulators keep the FMA
/// units busy instead of waiting on one dependency chain.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [[0.0f32; 16]; 4];
    let (ca, cb) = (a.chunks_exact(64), b.chunks_exact(64));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for (lane, (xs, ys)) in acc
            .iter_mut()
            .zip(x.chunks_exact(16).zip(y.chunks_exact(16)))
        {
            for ((s, x), y) in lane.iter_mut().zip(xs).zip(ys) {
                *s = x.mul_add(*y, *s);
            }
        }
    }
    let mut total = [0.0f32; 16];
    for lane in &acc {
        for (t, v) in total.iter_mut().zip(lane) {
            *t += v;
        }
    }
    total.iter().sum::<f32>() + tail
}

dispatch! {
    /// One dot product, dispatched: for the odd product outside a hot loop.
    fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
        dot(a, b)
    }
}
