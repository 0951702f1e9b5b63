use super::*;

fn ok(source: &str) -> Program {
    let parsed = parse(source);
    assert!(parsed.errors.is_empty(), "{source}: {:?}", parsed.errors);
    parsed.program
}

fn messages(source: &str) -> Vec<String> {
    parse(source)
        .errors
        .into_iter()
        .map(|d| d.message)
        .collect()
}

/// The expression of a one-statement script, in a compact prefix form.
fn shape(source: &str) -> String {
    let program = ok(source);
    let StmtKind::Expr(e) = &program.stmts[0].kind else {
        panic!("{:?}", program.stmts[0])
    };
    show(e)
}

fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v, _) => v.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::Unary { op, expr } => format!("({op:?} {})", show(expr)),
        ExprKind::Binary { op, lhs, rhs } => format!("({op:?} {} {})", show(lhs), show(rhs)),
        ExprKind::Assign { op, target, value } => {
            format!("(= {op:?} {} {})", show(target), show(value))
        }
        ExprKind::Conditional { cond, then, els } => {
            format!("(? {} {} {})", show(cond), show(then), show(els))
        }
        ExprKind::Call { name, args, .. } => {
            let args: Vec<String> = args.iter().map(show).collect();
            format!("{name}({})", args.join(", "))
        }
        ExprKind::Index { base, index } => format!("{}[{}]", show(base), show(index)),
        ExprKind::Cast { ty, expr } => format!("(cast {ty} {})", show(expr)),
        ExprKind::SizeofType(ty) => format!("(sizeof {ty})"),
        ExprKind::SizeofExpr(e) => format!("(sizeof {})", show(e)),
        ExprKind::IncDec {
            target,
            increment,
            prefix,
        } => format!(
            "({}{} {})",
            if *prefix { "pre" } else { "post" },
            if *increment { "++" } else { "--" },
            show(target)
        ),
    }
}

#[test]
fn c_precedence_and_associativity() {
    assert_eq!(shape("1 + 2 * 3;"), "(Add 1 (Mul 2 3))");
    assert_eq!(shape("1 - 2 - 3;"), "(Sub (Sub 1 2) 3)");
    assert_eq!(shape("a = b = 3;"), "(= None a (= None b 3))");
    assert_eq!(
        shape("GFP_KERNEL | __GFP_ZERO & ~__GFP_NOWARN;"),
        "(BitOr GFP_KERNEL (BitAnd __GFP_ZERO (BitNot __GFP_NOWARN)))"
    );
    assert_eq!(shape("1 << 2 + 3;"), "(Shl 1 (Add 2 3))");
    assert_eq!(shape("a < b == c;"), "(Eq (Lt a b) c)");
    assert_eq!(shape("a || b && c;"), "(Or a (And b c))");
    assert_eq!(
        shape("x = a ? b : c ? d : e;"),
        "(= None x (? a b (? c d e)))"
    );
    assert_eq!(
        shape("x += 4 * PAGE_SIZE;"),
        "(= Some(Add) x (Mul 4 PAGE_SIZE))"
    );
    assert_eq!(shape("-x++;"), "(Neg (post++ x))");
}

#[test]
fn calls_casts_sizeof_and_dereferences() {
    assert_eq!(
        shape("p = kmalloc(100, GFP_KERNEL | __GFP_ZERO);"),
        "(= None p kmalloc(100, (BitOr GFP_KERNEL __GFP_ZERO)))"
    );
    assert_eq!(shape("*(u32 *)p = 5;"), "(= None (Deref (cast u32 * p)) 5)");
    assert_eq!(
        shape("x = (unsigned long)p + 1;"),
        "(= None x (Add (cast unsigned long p) 1))"
    );
    assert_eq!(
        shape("n = sizeof(struct page);"),
        "(= None n (sizeof struct page))"
    );
    assert_eq!(shape("n = sizeof x + 1;"), "(= None n (Add (sizeof x) 1))");
    assert_eq!(shape("spin_lock(&lock);"), "spin_lock((AddrOf lock))");
    assert_eq!(
        shape("pages[i] = alloc_page(GFP_KERNEL);"),
        "(= None pages[i] alloc_page(GFP_KERNEL))"
    );
    assert_eq!(shape("f();"), "f()");
}

#[test]
fn declarations_statements_and_context_blocks() {
    let program = ok(
        "void *p = kmalloc(64, GFP_KERNEL), *pages[512];\n\
         struct page *pg;\n\
         unsigned long n = 0;\n\
         spinlock_t lock;\n\
         for (int i = 0; i < 512; i++) { pages[i] = alloc_page(GFP_KERNEL); if (!pages[i]) break; }\n\
         while (n < 3) n++;\n\
         if (p) kfree(p); else { ; }\n\
         hardirq { q = kmalloc(32, GFP_ATOMIC); }\n",
    );
    let kinds: Vec<&str> = program
        .stmts
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Decl(_) => "decl",
            StmtKind::For { .. } => "for",
            StmtKind::While { .. } => "while",
            StmtKind::If { .. } => "if",
            StmtKind::Context { .. } => "context",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["decl", "decl", "decl", "decl", "for", "while", "if", "context"]
    );
    let StmtKind::Decl(decls) = &program.stmts[0].kind else {
        panic!()
    };
    assert_eq!(decls.len(), 2);
    assert_eq!(decls[0].ty.to_string(), "void *");
    assert!(decls[0].init.is_some());
    assert_eq!(decls[1].name, "pages");
    assert!(decls[1].array_len.is_some());
    let StmtKind::Decl(decls) = &program.stmts[2].kind else {
        panic!()
    };
    assert_eq!(decls[0].ty.base, "unsigned long");
    assert_eq!(decls[0].ty.size(), Some(8));
    let StmtKind::Context { kind, body } = &program.stmts[7].kind else {
        panic!()
    };
    assert_eq!(*kind, ContextBlock::Hardirq);
    assert_eq!(body.len(), 1);
}

#[test]
fn sizes_of_the_basic_types() {
    let size = |base: &str, pointers| {
        TypeName {
            base: base.into(),
            pointers,
        }
        .size()
    };
    assert_eq!(size("char", 0), Some(1));
    assert_eq!(size("unsigned short", 0), Some(2));
    assert_eq!(size("int", 0), Some(4));
    assert_eq!(size("unsigned", 0), Some(4));
    assert_eq!(size("gfp_t", 0), Some(4));
    assert_eq!(size("unsigned long long", 0), Some(8));
    assert_eq!(size("size_t", 0), Some(8));
    assert_eq!(size("void", 1), Some(8));
    assert_eq!(size("void", 0), None);
    assert_eq!(size("struct page", 0), Some(64));
    assert_eq!(size("struct kmem_cache", 0), None);
    assert_eq!(size("uintptr_t", 0), Some(8));
}

#[test]
fn every_error_is_reported_and_parsing_goes_on() {
    let source = "p = kmalloc(64, GFP_KERNEL)\nq = ;\nkfree(p);\nx = (1 + 2;\n}\nvoid = 3;\n";
    let parsed = parse(source);
    let found: Vec<&str> = parsed.errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        found,
        [
            "expected `;` after the expression, found `q`",
            "expected an expression, found `;`",
            "expected `)` to close the parenthesis, found `;`",
            "unmatched `}`",
            "expected a name to declare after `void`",
        ],
        "{:#?}",
        parsed.errors
    );
    // The missing `;` is pointed at right after the call.
    assert_eq!(parsed.errors[0].span, Span::new(27, 27));
    assert_eq!(
        parsed.errors[0].help.as_deref(),
        Some("statements end with `;`")
    );
    // The good statement in between still parses.
    assert!(parsed
        .program
        .stmts
        .iter()
        .any(|s| matches!(&s.kind, StmtKind::Expr(e) if matches!(&e.kind, ExprKind::Call { name, .. } if name == "kfree"))));
}

#[test]
fn blocks_and_lexical_errors_are_reported_too() {
    assert_eq!(messages("if (x) { kfree(p);"), ["this `{` is never closed"]);
    assert_eq!(messages("x = 1 @ 2;"), ["unexpected character '@'"]);
    assert_eq!(messages("else kfree(p);"), ["`else` without an `if`"]);
    assert_eq!(messages("3 = x;"), ["this cannot be assigned to"]);
    assert_eq!(
        messages("a[0](1);"),
        ["only a function's name can be called"]
    );
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    let deep = format!("x = {}1{};", "(".repeat(100_000), ")".repeat(100_000));
    let errors = messages(&deep);
    assert_eq!(errors, [format!("nesting deeper than {MAX_DEPTH} levels")]);
    let blocks = format!("{}{}", "{".repeat(50_000), "}".repeat(50_000));
    assert_eq!(messages(&blocks).len(), 1);
    let unary = format!("x = {}1;", "-".repeat(100_000));
    assert_eq!(messages(&unary).len(), 1);
    // Garbage of every kind never panics.
    for source in [
        "(((", ")))", "for (;;", "if", "int", "struct", "x[", "a ? b", "sizeof(", "((int)",
    ] {
        let _ = parse(source);
    }
}

#[test]
fn chains_nest_one_level_per_operator() {
    for source in [
        format!("x = {};", vec!["1"; 20_000].join(" + ")),
        format!("x = {};", vec!["1"; 20_000].join(" || ")),
        format!("x = a{};", "[0]".repeat(20_000)),
    ] {
        let parsed = parse(&source);
        let [error] = parsed.errors.as_slice() else {
            panic!("{:?}", parsed.errors)
        };
        assert_eq!(
            error.message,
            format!("expression nesting deeper than {MAX_DEPTH} levels")
        );
        // The span is the chain up to the operand one level too deep.
        let text = &source[error.span.start..error.span.end];
        assert!(
            text.starts_with(&source[4..6]) && text.len() < 1000,
            "{text}"
        );
    }
    let sum = |n: usize| format!("x = {};", vec!["1"; n].join(" + "));
    assert!(parse(&sum(150)).errors.is_empty());
}
