# Writes the linker version script of libssl.so.3 from abi/libssl.exports ("NAME NODE" lines):
# one node per OpenSSL release that added functions, each inheriting from the one before, as in
# OpenSSL's own libssl (OPENSSL_3.0.0 <- OPENSSL_3.2.0 <- ... <- OPENSSL_3.5.0). The first node
# makes every other symbol (Rust, aws-lc) local.
NF == 2 {
    if (!($2 in names)) {
        order[n++] = $2
    }
    names[$2] = names[$2] "    " $1 ";\n"
}
END {
    # The node names sort in release order (OPENSSL_3.0.0 < OPENSSL_3.2.0 < ...).
    for (i = 1; i < n; i++) {
        for (j = i; j > 0 && order[j - 1] > order[j]; j--) {
            t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
        }
    }
    for (i = 0; i < n; i++) {
        printf "%s {\n  global:\n%s", order[i], names[order[i]]
        if (i == 0) {
            printf "  local: *;\n};\n"
        } else {
            printf "} %s;\n", order[i - 1]
        }
    }
}
