;; The tint kernel: adds `add` to one RGB channel of yuv420p blocks, 16 columns (8 blocks) of a
;; row pair at a time, in WebAssembly SIMD. Each pixel and block gets what the table-driven kernel in
;; processors/red-tint.ts gives it; every rounding below is floor(x + 1/2) in 20-bit fixed point, with
;; constants chosen so that it equals Math.round of the floating-point formula for every input:
;;   was    = clamp(round(A(y - 16) + B(c - 128)))   the channel before, from luma and its block's chroma c
;;   change = clamp(was + add) - was                 what the clamped addition leaves of add
;;   y'     = clamp(y + round(DY change))
;;   U', V' = clamp(U + round(DU s)), clamp(V + round(DV s))   s: the block's four changes summed
;; (DU and DV include the division by four). Blocks outside whole 16-column chunks of whole row
;; pairs are left to the caller.
;;
;; tint(y, c, u, v, w, cw, rows, chunks, add, A, B, DY, DU, DV)
;;   y, u, v   the planes' offsets in memory; c is u or v, the chroma the channel is read from
;;   w, cw     luma and chroma row lengths; rows: row pairs to do; chunks: 16-column chunks a row
(module
  (memory (export "memory") 1)
  (func (export "tint")
    (param $y i32) (param $c i32) (param $u i32) (param $v i32) (param $w i32) (param $cw i32)
    (param $rows i32) (param $chunks i32) (param $add i32)
    (param $A i32) (param $B i32) (param $DY i32) (param $DU i32) (param $DV i32)
    (local $by i32) (local $x i32) (local $r0 i32) (local $r1 i32) (local $co i32)
    (local $Av v128) (local $Bv v128) (local $Kv v128) (local $addv v128) (local $DYv v128) (local $DUv v128) (local $DVv v128)
    (local $half v128) (local $zero v128) (local $max v128)
    (local $t v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $l v128) (local $h v128) (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $a01 v128) (local $a23 v128) (local $s0 v128) (local $s1 v128) (local $d v128) (local $o v128)
    (local.set $Av (i32x4.splat (local.get $A)))
    (local.set $Bv (i32x4.splat (local.get $B)))
    ;; K = 2^19 - 16A - 128B: the rounding half and both offsets in one constant
    (local.set $Kv (i32x4.splat (i32.sub (i32.sub (i32.const 524288) (i32.shl (local.get $A) (i32.const 4))) (i32.shl (local.get $B) (i32.const 7)))))
    (local.set $addv (i32x4.splat (local.get $add)))
    (local.set $DYv (i32x4.splat (local.get $DY)))
    (local.set $DUv (i32x4.splat (local.get $DU)))
    (local.set $DVv (i32x4.splat (local.get $DV)))
    (local.set $half (i32x4.splat (i32.const 524288)))
    (local.set $zero (v128.const i32x4 0 0 0 0))
    (local.set $max (v128.const i32x4 255 255 255 255))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $by) (local.get $rows)))
      (local.set $r0 (i32.add (local.get $y) (i32.mul (i32.shl (local.get $by) (i32.const 1)) (local.get $w))))
      (local.set $co (i32.mul (local.get $by) (local.get $cw)))
      (local.set $x (i32.const 0))
      (block $chunksDone (loop $chunkLoop
        (br_if $chunksDone (i32.ge_u (local.get $x) (local.get $chunks)))
        ;; the chroma each of the 16 columns reads, as B*c + K, two columns a block
        (local.set $l (v128.load8x8_u (i32.add (local.get $c) (local.get $co))))
        (local.set $t (i32x4.add (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $l)) (local.get $Bv)) (local.get $Kv)))
        (local.set $t0 (i8x16.shuffle 0 1 2 3 0 1 2 3 4 5 6 7 4 5 6 7 (local.get $t) (local.get $t)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 8 9 10 11 12 13 14 15 12 13 14 15 (local.get $t) (local.get $t)))
        (local.set $t (i32x4.add (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $l)) (local.get $Bv)) (local.get $Kv)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 0 1 2 3 4 5 6 7 4 5 6 7 (local.get $t) (local.get $t)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 8 9 10 11 12 13 14 15 12 13 14 15 (local.get $t) (local.get $t)))
        ;; both rows of the pair, row 0 then row 1
        (local.set $r1 (local.get $r0))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (block $twoRows (loop $row
          (local.set $o (v128.load (local.get $r1)))
          (local.set $l (i16x8.extend_low_i8x16_u (local.get $o)))
          (local.set $h (i16x8.extend_high_i8x16_u (local.get $o)))
          (local.set $p0 (i32x4.extend_low_i16x8_u (local.get $l)))
          (local.set $p1 (i32x4.extend_high_i16x8_u (local.get $l)))
          (local.set $p2 (i32x4.extend_low_i16x8_u (local.get $h)))
          (local.set $p3 (i32x4.extend_high_i16x8_u (local.get $h)))
          ;; was = clamp(round(A(y-16) + B(c-128))), the pixel's channel before
          (local.set $w0 (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $p0) (local.get $Av)) (local.get $t0)) (i32.const 20)) (local.get $zero)) (local.get $max)))
          (local.set $w1 (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $p1) (local.get $Av)) (local.get $t1)) (i32.const 20)) (local.get $zero)) (local.get $max)))
          (local.set $w2 (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $p2) (local.get $Av)) (local.get $t2)) (i32.const 20)) (local.get $zero)) (local.get $max)))
          (local.set $w3 (i32x4.min_s (i32x4.max_s (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $p3) (local.get $Av)) (local.get $t3)) (i32.const 20)) (local.get $zero)) (local.get $max)))
          ;; change = clamp(was + add) - was
          (local.set $w0 (i32x4.sub (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $w0) (local.get $addv)) (local.get $zero)) (local.get $max)) (local.get $w0)))
          (local.set $w1 (i32x4.sub (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $w1) (local.get $addv)) (local.get $zero)) (local.get $max)) (local.get $w1)))
          (local.set $w2 (i32x4.sub (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $w2) (local.get $addv)) (local.get $zero)) (local.get $max)) (local.get $w2)))
          (local.set $w3 (i32x4.sub (i32x4.min_s (i32x4.max_s (i32x4.add (local.get $w3) (local.get $addv)) (local.get $zero)) (local.get $max)) (local.get $w3)))
          ;; luma += round(DY * change), clamped by the saturating narrows
          (local.set $p0 (i32x4.add (local.get $p0) (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $w0) (local.get $DYv)) (local.get $half)) (i32.const 20))))
          (local.set $p1 (i32x4.add (local.get $p1) (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $w1) (local.get $DYv)) (local.get $half)) (i32.const 20))))
          (local.set $p2 (i32x4.add (local.get $p2) (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $w2) (local.get $DYv)) (local.get $half)) (i32.const 20))))
          (local.set $p3 (i32x4.add (local.get $p3) (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $w3) (local.get $DYv)) (local.get $half)) (i32.const 20))))
          (v128.store (local.get $r1) (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_s (local.get $p0) (local.get $p1)) (i16x8.narrow_i32x4_s (local.get $p2) (local.get $p3))))
          ;; block sums of the changes: columns summed down the two rows, then in pairs
          (local.set $s0 (i32x4.add (local.get $s0) (i32x4.extadd_pairwise_i16x8_s (i16x8.narrow_i32x4_s (local.get $w0) (local.get $w1)))))
          (local.set $s1 (i32x4.add (local.get $s1) (i32x4.extadd_pairwise_i16x8_s (i16x8.narrow_i32x4_s (local.get $w2) (local.get $w3)))))
          (br_if $twoRows (i32.ne (local.get $r1) (local.get $r0)))
          (local.set $r1 (i32.add (local.get $r0) (local.get $w)))
          (br $row)))
        ;; U += round(DU * sum / 4) and V likewise, clamped by the saturating narrow
        (local.set $d (i16x8.narrow_i32x4_s
          (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $s0) (local.get $DUv)) (local.get $half)) (i32.const 20))
          (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $s1) (local.get $DUv)) (local.get $half)) (i32.const 20))))
        (local.set $l (v128.load8x8_u (i32.add (local.get $u) (local.get $co))))
        (v128.store64_lane 0 (i32.add (local.get $u) (local.get $co)) (i8x16.narrow_i16x8_u (i16x8.add (local.get $l) (local.get $d)) (local.get $d)))
        (local.set $d (i16x8.narrow_i32x4_s
          (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $s0) (local.get $DVv)) (local.get $half)) (i32.const 20))
          (i32x4.shr_s (i32x4.add (i32x4.mul (local.get $s1) (local.get $DVv)) (local.get $half)) (i32.const 20))))
        (local.set $l (v128.load8x8_u (i32.add (local.get $v) (local.get $co))))
        (v128.store64_lane 0 (i32.add (local.get $v) (local.get $co)) (i8x16.narrow_i16x8_u (i16x8.add (local.get $l) (local.get $d)) (local.get $d)))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 16)))
        (local.set $co (i32.add (local.get $co) (i32.const 8)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $chunkLoop)))
      (local.set $by (i32.add (local.get $by) (i32.const 1)))
      (br $rowLoop)))))
